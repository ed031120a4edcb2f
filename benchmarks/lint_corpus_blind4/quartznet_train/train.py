import argparse
import os
from contextlib import nullcontext as empty_context

import torch
import torch.distributed as dist
from apex.optimizers import FusedLAMB
from torch.optim import AdamW

from common.optimizers import Novograd, lr_policy
from quartznet.model import CTCLossNM, QuartzNet


def parse_args():
    parser = argparse.ArgumentParser(description="QuartzNet")
    parser.add_argument("--epochs", default=400, type=int)
    parser.add_argument("--warmup_epochs", default=0, type=int)
    parser.add_argument("--amp", "--fp16", action="store_true", default=False)
    parser.add_argument("--local_rank", default=os.getenv("LOCAL_RANK", 0), type=int)
    parser.add_argument("--gpu_batch_size", default=32, type=int)
    parser.add_argument("--lr", default=1e-3, type=float)
    parser.add_argument("--weight_decay", default=1e-3, type=float)
    parser.add_argument("--grad_accumulation", "--update-freq", default=1, type=int)
    parser.add_argument("--optimizer", default="novograd", type=str, choices=["novograd", "adamw", "lamb98"])
    return parser.parse_args()


def main(train_loader, train_feat_proc, cfg):
    args = parse_args()
    multi_gpu = int(os.environ.get("WORLD_SIZE", 1)) > 1
    if multi_gpu:
        torch.cuda.set_device(args.local_rank)
        dist.init_process_group(backend="nccl", init_method="env://")
    steps_per_epoch = len(train_loader) // args.grad_accumulation
    model = QuartzNet(encoder_kw=cfg["encoder"], decoder_kw=cfg["decoder"])
    model.cuda()
    ctc_loss = CTCLossNM(n_classes=29)
    kw = {"lr": args.lr, "weight_decay": args.weight_decay}
    if args.optimizer == "novograd":
        optimizer = Novograd(model.parameters(), **kw)
    elif args.optimizer == "adamw":
        optimizer = AdamW(model.parameters(), **kw)
    elif args.optimizer == "lamb98":
        optimizer = FusedLAMB(model.parameters(), betas=(0.9, 0.98), eps=1e-9, **kw)
    else:
        raise ValueError(args.optimizer)
    scaler = torch.cuda.amp.GradScaler(enabled=args.amp)

    def adjust_lr(step, epoch, optimizer):
        return lr_policy(step, epoch, args.lr, optimizer, steps_per_epoch=steps_per_epoch, warmup_epochs=args.warmup_epochs, num_epochs=args.epochs)

    if multi_gpu:
        model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[args.local_rank], output_device=args.local_rank)
    step = 1
    model.train()
    for epoch in range(1, args.epochs + 1):
        accumulated_batches = 0
        for batch in train_loader:
            audio, audio_lens, txt, txt_lens = [t.cuda(non_blocking=True) for t in batch]
            feat, feat_lens = train_feat_proc(audio, audio_lens)
            if multi_gpu and accumulated_batches + 1 < args.grad_accumulation:
                ctx = model.no_sync()
            else:
                ctx = empty_context()
            with ctx:
                with torch.cuda.amp.autocast(enabled=args.amp):
                    log_probs, enc_lens = model(feat, feat_lens)
                    loss = ctc_loss(log_probs, txt, enc_lens, txt_lens)
                    loss /= args.grad_accumulation
                accumulated_batches += 1
                scaler.scale(loss).backward()
            if accumulated_batches % args.grad_accumulation == 0:
                scaler.step(optimizer)
                scaler.update()
                adjust_lr(step, epoch, optimizer)
                optimizer.zero_grad()
                step += 1
                accumulated_batches = 0
            if step > steps_per_epoch * epoch:
                break
