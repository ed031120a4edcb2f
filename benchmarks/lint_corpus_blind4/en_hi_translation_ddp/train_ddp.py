import inspect
import os
from dataclasses import dataclass

import torch
import torch.nn as nn
from torch.distributed import init_process_group
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.optim.lr_scheduler import ReduceLROnPlateau


@dataclass
class CFG:
    ddp = True
    d_model = 512
    h = 8
    init_learning_rate = 0.0002
    weight_decay = 0.1
    betas = (0.9, 0.95)
    grad_clip = 1.0
    grad_accumulation_steps = 2
    n_epochs = 10


class EncoderBlock(nn.Module):
    def __init__(self, d_model, h):
        super().__init__()
        self.attention = nn.MultiheadAttention(d_model, h, bias=False, batch_first=True)
        self.ffn = nn.Sequential(nn.Linear(d_model, 4 * d_model), nn.ReLU(), nn.Linear(4 * d_model, d_model))
        self.layer_norm_1 = nn.LayerNorm(d_model)
        self.layer_norm_2 = nn.LayerNorm(d_model)

    def forward(self, x):
        y = self.layer_norm_1(x)
        x = x + self.attention(y, y, y)[0]
        return x + self.ffn(self.layer_norm_2(x))


class Transformer(nn.Module):
    def __init__(self, vocab_size, d_model, h, n=6):
        super().__init__()
        self.src_embed = nn.Embedding(vocab_size, d_model)
        self.encoder = nn.ModuleList([EncoderBlock(d_model, h) for _ in range(n)])
        self.projection_layer = nn.Linear(d_model, vocab_size)

    def forward(self, x):
        x = self.src_embed(x)
        for layer in self.encoder:
            x = layer(x)
        return self.projection_layer(x)


def train(train_config, model, optimizer, train_loader, loss_fn, vocab_size, device):
    model.train()
    for step, batch in enumerate(train_loader):
        labels = batch["labels"].to(device)
        if train_config.ddp:
            model.require_backward_grad_sync = (step + 1) % train_config.grad_accumulation_steps == 0
        with torch.autocast(device_type="cuda", dtype=torch.bfloat16):
            project = model(batch["encoder_inp"].to(device))
            loss = loss_fn(project.view(-1, vocab_size), labels.view(-1))
        loss = loss / train_config.grad_accumulation_steps
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), train_config.grad_clip)
        if (step + 1) % train_config.grad_accumulation_steps == 0:
            optimizer.step()
            optimizer.zero_grad()


def main(config, model, optimizer, train_loader, scheduler, device):
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(config.n_epochs):
        train(config, model, optimizer, train_loader, loss_fn, 32000, device)
        bleu_score = torch.tensor(0.0)
        if isinstance(scheduler, ReduceLROnPlateau):
            scheduler.step(bleu_score.item())
        else:
            scheduler.step()


def get_optimizer_params(model, lr, weight_decay=0.0):
    no_decay = ["bias", "LayerNorm.bias", "LayerNorm.weight"]
    return [
        {"params": [p for n, p in model.named_parameters() if not any(nd in n for nd in no_decay)], "lr": lr, "weight_decay": weight_decay},
        {"params": [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay)], "lr": lr, "weight_decay": 0.0},
    ]


config = CFG()
config.ddp = int(os.environ.get("RANK", -1)) != -1
if config.ddp:
    init_process_group(backend="nccl")
    ddp_local_rank = int(os.environ["LOCAL_RANK"])
    device = f"cuda:{ddp_local_rank}"
else:
    device = "cuda"
model = Transformer(32000, config.d_model, config.h)
model.to(device)
model = torch.compile(model)
if config.ddp:
    model = DDP(model, device_ids=[ddp_local_rank])
raw_model = model.module if config.ddp else model
use_fused = "fused" in inspect.signature(torch.optim.AdamW).parameters
optimizer_params = get_optimizer_params(raw_model, config.init_learning_rate, config.weight_decay)
optimizer = torch.optim.AdamW(optimizer_params, lr=config.init_learning_rate, betas=config.betas, fused=use_fused)
schedular = ReduceLROnPlateau(optimizer, mode="max", factor=0.3, patience=2, min_lr=1e-6)
main(config, model, optimizer, [], schedular, device)
