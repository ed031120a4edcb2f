import argparse
import math
import os
from contextlib import nullcontext

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel as DDP


class Block(nn.Module):
    def __init__(self, d, ffn):
        super().__init__()
        self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)
        self.norm1 = nn.LayerNorm(d)
        self.ff1 = nn.Linear(d, ffn)
        self.ff2 = nn.Linear(ffn, d)
        self.norm2 = nn.LayerNorm(d)

    def forward(self, x):
        x = self.norm1(x + self.out(self.qkv(x)[..., : x.shape[-1]]))
        return self.norm2(x + self.ff2(F.gelu(self.ff1(x))))


class CTCDecoder(nn.Module):
    def __init__(self, enc_dim=1280, hidden=512, blocks=5, vocab=59264):
        super().__init__()
        self.proj = nn.Linear(enc_dim, hidden)
        self.blocks = nn.ModuleList(Block(hidden, 128) for _ in range(blocks))
        self.norm = nn.LayerNorm(hidden)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, x):
        x = F.gelu(self.proj(x))
        for b in self.blocks:
            x = b(x)
        return self.head(self.norm(x))


class CTCTrainer:
    def __init__(self, decoder, device, lr=5e-4, warmup_steps=1000, max_steps=100000, grad_accum=4, ddp_no_sync=True):
        self.decoder = decoder.to(device)
        self.ddp_decoder = None
        self.device = device
        self.grad_accum = grad_accum
        self.ddp_no_sync = ddp_no_sync
        self.optimizer = torch.optim.AdamW(decoder.parameters(), lr=lr, betas=(0.9, 0.999), weight_decay=0.01)
        top = max(max_steps, 1)
        factor = lambda s: min(1.0, s / max(warmup_steps, 1)) * 0.5 * (1 + math.cos(math.pi * min(s, top) / top))
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(self.optimizer, lr_lambda=factor)
        self.ctc = nn.CTCLoss(blank=vocab_blank(), reduction="mean", zero_infinity=True)
        self.global_step = 0

    def wrap_ddp(self):
        rank = int(os.environ.get("LOCAL_RANK", 0))
        self.ddp_decoder = DDP(self.decoder, device_ids=[rank], gradient_as_bucket_view=True)

    def train_epoch(self, loader, encode):
        model = self.ddp_decoder if self.ddp_decoder else self.decoder
        model.train()
        self.optimizer.zero_grad()
        for batch_idx, (feats, targets, tlens, ilens) in enumerate(loader):
            enc = encode(feats)
            sync_step = (batch_idx + 1) % self.grad_accum == 0
            ctx = model.no_sync() if self.ddp_decoder is not None and self.ddp_no_sync and not sync_step else nullcontext()
            with ctx:
                with torch.autocast("cuda", dtype=torch.bfloat16):
                    logits = model(enc)
                log_probs = F.log_softmax(logits.float(), dim=-1).transpose(0, 1)
                loss = self.ctc(log_probs, targets, ilens, tlens)
                loss = loss / self.grad_accum
                loss.backward()
            if sync_step:
                torch.nn.utils.clip_grad_norm_(self.decoder.parameters(), 5.0)
                self.optimizer.step()
                self.scheduler.step()
                self.optimizer.zero_grad()
                self.global_step += 1


def vocab_blank():
    return 59263


def main(loader, encode, world_size):
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--warmup-epochs", type=int, default=1)
    parser.add_argument("--lr", type=float, default=5e-4)
    parser.add_argument("--lr-warmup-steps", type=int, default=1000)
    parser.add_argument("--lr-max-steps", type=int, default=0)
    parser.add_argument("--grad-accum", type=int, default=4)
    parser.add_argument("--ddp-no-sync", action=argparse.BooleanOptionalAction, default=True)
    args = parser.parse_args()

    planned_steps = (args.warmup_epochs + args.epochs) * len(loader) // args.grad_accum
    max_steps = max(1, args.lr_max_steps or planned_steps)
    trainer = CTCTrainer(CTCDecoder(), "cuda", lr=args.lr, warmup_steps=args.lr_warmup_steps,
                         max_steps=max_steps, grad_accum=args.grad_accum, ddp_no_sync=args.ddp_no_sync)
    if world_size > 1:
        trainer.wrap_ddp()
    for _ in range(args.warmup_epochs + args.epochs):
        trainer.train_epoch(loader, encode)
