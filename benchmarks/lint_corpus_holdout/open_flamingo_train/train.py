"""Main training script."""
import argparse

import torch
from torch.nn.parallel import DistributedDataParallel as DDP
from transformers import get_constant_schedule_with_warmup, get_linear_schedule_with_warmup

from data import get_data
from distributed import init_distributed_device, world_info_from_env
from open_flamingo import create_model_and_transforms
from train_utils import train_one_epoch


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lm_path", default="facebook/opt-1.3b", type=str)
    parser.add_argument("--num_epochs", type=int, default=1)
    parser.add_argument("--batch_size_mmc4", type=int, default=128)
    parser.add_argument("--batch_size_laion", type=int, default=128)
    parser.add_argument("--gradient_accumulation_steps", type=int, default=1)
    parser.add_argument("--learning_rate", default=1e-4, type=float)
    parser.add_argument("--lr_scheduler", default="constant", type=str, help="constant or linear")
    parser.add_argument("--loss_multiplier_mmc4", type=float, default=1.0)
    parser.add_argument("--loss_multiplier_laion", type=float, default=1.0)
    parser.add_argument("--warmup_steps", default=5000, type=int)
    parser.add_argument("--weight_decay", default=0.1, type=float)
    parser.add_argument("--precision", default="fp32", choices=["amp_bf16", "bf16", "fp16", "fp32"])
    parser.add_argument("--train_num_samples_mmc4", type=int, default=10000)
    parser.add_argument("--train_num_samples_laion", type=int, default=10000)
    args = parser.parse_args()

    args.local_rank, args.rank, args.world_size = world_info_from_env()
    device_id = init_distributed_device(args)
    model, image_processor, tokenizer = create_model_and_transforms(args.lm_path)
    model = model.to(device_id)
    ddp_model = DDP(model, device_ids=[device_id])

    laion_dataset = get_data(args, image_processor, tokenizer, "image_text")
    mmc4_dataset = get_data(args, image_processor, tokenizer, "mmc4")

    def get_grouped_params(model):
        params_with_wd, params_without_wd = [], []

        def apply_decay(name):
            return ("gated_cross_attn_layer" in name and "ff_gate" not in name and "attn_gate" not in name
                    and "norm" not in name and "bias" not in name)

        for n, p in model.named_parameters():
            (params_with_wd if apply_decay(n) else params_without_wd).append(p)
        return [{"params": params_with_wd, "weight_decay": args.weight_decay},
                {"params": params_without_wd, "weight_decay": 0.0}]

    optimizer = torch.optim.AdamW(get_grouped_params(ddp_model), lr=args.learning_rate)

    # batches per epoch on one rank, times the epochs
    total_training_steps = (
        (args.train_num_samples_mmc4) // (args.batch_size_mmc4 * args.world_size)
    ) * args.num_epochs
    if args.lr_scheduler == "linear":
        lr_scheduler = get_linear_schedule_with_warmup(
            optimizer, num_warmup_steps=args.warmup_steps, num_training_steps=total_training_steps
        )
    else:
        lr_scheduler = get_constant_schedule_with_warmup(optimizer, num_warmup_steps=args.warmup_steps)

    ddp_model.train()
    for epoch in range(args.num_epochs):
        train_one_epoch(args=args, model=ddp_model, epoch=epoch, tokenizer=tokenizer, optimizer=optimizer,
                        lr_scheduler=lr_scheduler, laion_loader=laion_dataset.dataloader,
                        mmc4_loader=mmc4_dataset.dataloader, device_id=device_id)


if __name__ == "__main__":
    main()
