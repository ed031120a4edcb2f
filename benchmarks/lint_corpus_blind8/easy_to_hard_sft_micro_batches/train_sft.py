import torch
import torch.nn.functional as F
from torch.utils.data.distributed import DistributedSampler

from arguments import Arguments as TrainingArguments
from hf_argparser import HfArgumentParser
from models.tp import clip_grad_norm_, get_data_parallel_world_size, maybe_init_dist
from training_utils.trainer_utils import create_fsdp_model_for_finetune, create_optimizer, get_cosine_schedule_with_warmup


def model_forward_with_loss(model, input_ids, labels):
    logits = model(input_ids, torch.arange(0, input_ids.size(1)), fully_causal=True)
    logits = logits.float()[..., :-1, :].contiguous()
    labels = labels[..., 1:].contiguous()
    return F.cross_entropy(logits.view(-1, logits.size(-1)), labels.view(-1), reduction="mean")


def main(args):
    device_id = maybe_init_dist()
    model = load_model(args)
    train_dataset, data_collator = make_sft_data(args)
    sampler = DistributedSampler(train_dataset, shuffle=True, drop_last=True)
    train_loader = torch.utils.data.DataLoader(train_dataset, batch_size=args.per_device_train_batch_size, sampler=sampler, collate_fn=data_collator)
    if get_data_parallel_world_size() > 1:
        model = create_fsdp_model_for_finetune(args, model)
    optimizer = create_optimizer(args, model=model, optimizer_cpu_offload=args.optimizer_cpu_offload, model_cpu_offload=False)
    scheduler = get_cosine_schedule_with_warmup(
        optimizer,
        warmup_epochs=len(train_loader) * args.warmup_ratio,
        max_epochs=len(train_loader) * args.num_train_epochs,
        warmup_start_ratio=0.0,
        eta_min_ratio=args.lr_eta_min / args.learning_rate,
    )
    micro_train_batch_size = args.micro_train_batch_size or args.per_device_train_batch_size
    accumulate_steps = args.per_device_train_batch_size // micro_train_batch_size
    micro_train_batch_size = micro_train_batch_size * torch.distributed.get_world_size()

    for epoch in range(args.num_train_epochs):
        train_loader.sampler.set_epoch(epoch)
        for it, batch in enumerate(train_loader):
            model.zero_grad()
            input_ids = batch["input_ids"].to(device="cuda")
            labels = batch["labels"].to(device="cuda")
            loss_scale = 1.0 / accumulate_steps
            for ex_idx in range(0, input_ids.size(0), micro_train_batch_size):
                if ex_idx + micro_train_batch_size < input_ids.size(0):
                    with torch.cuda.amp.autocast(dtype=args.compute_dtype):
                        loss = model_forward_with_loss(model, input_ids[ex_idx : ex_idx + micro_train_batch_size], labels[ex_idx : ex_idx + micro_train_batch_size])
                    (loss_scale * loss).backward()
                else:
                    with torch.cuda.amp.autocast(dtype=args.compute_dtype):
                        loss = model_forward_with_loss(model, input_ids[ex_idx:], labels[ex_idx:])
                    (loss_scale * loss).backward()
                    grad_norm = clip_grad_norm_(model, 1.0)
                    optimizer.step()
                    scheduler.step()


if __name__ == "__main__":
    parser = HfArgumentParser((TrainingArguments,))
    args = parser.parse_args_into_dataclasses()[0]
    main(args)
