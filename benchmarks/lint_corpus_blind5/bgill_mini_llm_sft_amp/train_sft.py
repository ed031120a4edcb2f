import math

import torch
from torch.amp import GradScaler, autocast
from torch.optim.lr_scheduler import CosineAnnealingLR, LinearLR, SequentialLR

from data.SmolTalk import get_loaders
from models.TransformerLM import TransformerLM

config = {"bs": 7, "max_len": 1024, "lr": 1e-4, "warmup_steps": 200, "epochs": 3}


def masked_ce(logits, targets, mask):
    per_token = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.size(-1)), targets.reshape(-1), reduction="none")
    m = mask.reshape(-1).float()
    return (per_token * m).sum() / m.sum().clamp(min=1)


def finetune(model, train_loader, device):
    grad_accum_steps = math.ceil(32768 // (config["bs"] * config["max_len"]))
    steps_per_epoch = math.ceil(len(train_loader) / grad_accum_steps)
    total_steps = steps_per_epoch * config["epochs"]
    opt = torch.optim.AdamW(model.parameters(), lr=config["lr"], betas=(0.9, 0.95), weight_decay=0.1)
    scaler = GradScaler()
    warm = LinearLR(opt, start_factor=0.05, total_iters=config["warmup_steps"])
    cosine = CosineAnnealingLR(opt, T_max=total_steps - config["warmup_steps"], eta_min=config["lr"] / 10)
    scheduler = SequentialLR(opt, schedulers=[warm, cosine], milestones=[config["warmup_steps"]])
    model.train()
    for epoch in range(config["epochs"]):
        for i, (tokens, mask) in enumerate(train_loader):
            tokens, mask = tokens.to(device), mask.to(device)
            with autocast(device_type="cuda", dtype=torch.float16):
                logits = model(tokens[:, :-1])
                loss = masked_ce(logits, tokens[:, 1:], mask[:, 1:]) / grad_accum_steps
            scaler.scale(loss).backward()
            if (i + 1) % grad_accum_steps == 0:
                scaler.unscale_(opt)
                torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
                scaler.step(opt)
                scaler.update()
                scheduler.step()
                opt.zero_grad()


def main():
    model = TransformerLM(100277, max_len=config["max_len"]).to("cuda")
    model = torch.compile(model, dynamic=False)
    train_loader, _ = get_loaders(batch_size=config["bs"], max_length=config["max_len"])
    finetune(model, train_loader, "cuda")


if __name__ == "__main__":
    main()
