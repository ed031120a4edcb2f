from argparse import ArgumentParser

import segmentation_models_pytorch as smp
import torch
import torch.optim as optim
from apex import amp
from apex.parallel import DistributedDataParallel as DDP

from models_vit import SegViT
from utils.data_utils import get_loader
from utils.dist_util import get_world_size
from utils.scheduler import WarmupCosineSchedule, WarmupLinearSchedule
from utils.segmentation_loss import MixedLoss


def setup(args):
    if args.model == "vit_base_patch16":
        model = SegViT(patch_size=16, out_channels=1, hidden_size=768, decode_features=[512, 256, 128, 64])
        for name, param in model.encoder.named_parameters():
            if not name.startswith("seg_head"):
                param.requires_grad = False
        for name, param in model.named_parameters():
            if not name.startswith("encoder"):
                param.requires_grad = True
    else:
        model = smp.Unet(encoder_name=args.model, encoder_weights=None, activation=None)
    model.to(args.device)
    return args, model


def train(args, model):
    args.train_batch_size = args.train_batch_size // args.gradient_accumulation_steps
    train_loader, val_loader = get_loader(args)

    if "vit_base" in args.model:
        optimizer = optim.AdamW(model.parameters(), lr=args.learning_rate, betas=(0.9, 0.999), weight_decay=args.weight_decay)
    else:
        optimizer = optim.Adam(model.parameters(), lr=0.0001, betas=(0.9, 0.999), eps=1e-08, weight_decay=1e-5)
    t_total = args.num_steps
    if args.decay_type == "cosine":
        scheduler = WarmupCosineSchedule(optimizer, warmup_steps=args.warmup_steps, t_total=t_total)
    else:
        scheduler = WarmupLinearSchedule(optimizer, warmup_steps=args.warmup_steps, t_total=t_total)

    if args.fp16:
        model, optimizers = amp.initialize(models=model, optimizers=[optimizer], opt_level=args.fp16_opt_level)
        optimizer = optimizers[0]
    if args.local_rank != -1:
        model = DDP(model, message_size=250000000, gradient_predivide_factor=get_world_size())

    model.zero_grad()
    global_step = 0
    loss_fct = MixedLoss(alpha=10)
    while True:
        model.train()
        for step, batch in enumerate(train_loader):
            x, y = tuple(t.to(args.device) for t in batch)
            logits = model(x).squeeze(dim=1)
            loss = loss_fct(logits, y)
            if args.gradient_accumulation_steps > 1:
                loss = loss / args.gradient_accumulation_steps
            if args.fp16:
                with amp.scale_loss(loss, optimizer) as scaled_loss:
                    scaled_loss.backward()
            else:
                loss.backward()

            if (step + 1) % args.gradient_accumulation_steps == 0:
                if args.fp16:
                    torch.nn.utils.clip_grad_norm_(amp.master_params(optimizer), args.max_grad_norm)
                else:
                    torch.nn.utils.clip_grad_norm_(model.parameters(), args.max_grad_norm)
                scheduler.step()
                optimizer.step()
                optimizer.zero_grad()
                global_step += 1
        if global_step % t_total == 0:
            break


def main():
    parser = ArgumentParser()
    parser.add_argument("--model", default="vit_base_patch16", type=str)
    parser.add_argument("--name", required=True)
    parser.add_argument("--train_batch_size", default=512, type=int)
    parser.add_argument("--learning_rate", default=2e-4, type=float)
    parser.add_argument("--weight_decay", default=0.05, type=float)
    parser.add_argument("--num_steps", default=10000, type=int)
    parser.add_argument("--decay_type", choices=["cosine", "linear"], default="cosine")
    parser.add_argument("--warmup_steps", default=500, type=int)
    parser.add_argument("--max_grad_norm", default=1.0, type=float)
    parser.add_argument("--local_rank", type=int, default=-1)
    parser.add_argument("--gradient_accumulation_steps", type=int, default=1)
    parser.add_argument("--fp16", action="store_true")
    parser.add_argument("--fp16_opt_level", type=str, default="O2")
    args = parser.parse_args()
    if args.local_rank == -1:
        args.device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    else:
        torch.cuda.set_device(args.local_rank)
        args.device = torch.device("cuda", args.local_rank)
        torch.distributed.init_process_group(backend="nccl")
    args, model = setup(args)
    train(args, model)


if __name__ == "__main__":
    main()
