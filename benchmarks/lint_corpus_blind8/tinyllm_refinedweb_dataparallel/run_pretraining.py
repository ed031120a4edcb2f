import os
from dataclasses import asdict

import torch
import torch.nn as nn
from torch.utils.data import DataLoader

from trainer.model.nlp import TinyLLM
from trainer.pipelines.config import ModelConfig
from trainer.pipelines.pretrain import TokenizedDataset

DATA_CFG = {
    "tokenized_root": "trainer/data/tokenized/tiiuae_falcon-refinedweb",
    "seq_length": 1024,
    "batch_size": 8,
}
MODEL_CFG = ModelConfig(vocab_size=128256, d_model=1024, num_layers=12, num_heads=16, seq_length=1024, dropout=0.1)
TRAIN_CFG = {
    "epochs": 2,
    "lr": 3e-4,
    "weight_decay": 1e-2,
    "warmup_steps": 1000,
    "grad_clip_norm": 1.0,
}


def build_scheduler_with_warmup(optimizer, total_steps, warmup_steps):
    def lr_lambda(current_step):
        if warmup_steps > 0 and current_step < warmup_steps:
            return float(current_step) / float(max(1, warmup_steps))
        progress = float(current_step - warmup_steps) / float(max(1, total_steps - warmup_steps))
        return 0.5 * (1.0 + torch.cos(torch.tensor(progress * 3.141592653589793))).item()

    return torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)


def main():
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    dataset = TokenizedDataset(DATA_CFG["tokenized_root"], DATA_CFG["seq_length"])
    dataloader = DataLoader(dataset, batch_size=DATA_CFG["batch_size"], shuffle=True)
    model = TinyLLM(**asdict(MODEL_CFG))
    if torch.cuda.device_count() > 1:
        model = nn.DataParallel(model)
    optimizer = torch.optim.AdamW(model.parameters(), lr=TRAIN_CFG["lr"], weight_decay=TRAIN_CFG["weight_decay"])
    total_steps = len(dataloader) * TRAIN_CFG["epochs"]
    scheduler = build_scheduler_with_warmup(optimizer, total_steps=total_steps, warmup_steps=TRAIN_CFG["warmup_steps"])
    criterion = nn.CrossEntropyLoss()
    for epoch in range(1, TRAIN_CFG["epochs"] + 1):
        model.train()
        for batch in dataloader:
            x, y = batch[0].to(device), batch[1].to(device)
            optimizer.zero_grad()
            logits = model(x)
            loss = criterion(logits.view(-1, logits.size(-1)), y.view(-1))
            loss.backward()
            if TRAIN_CFG["grad_clip_norm"] and TRAIN_CFG["grad_clip_norm"] > 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), TRAIN_CFG["grad_clip_norm"])
            optimizer.step()
            scheduler.step()


if __name__ == "__main__":
    main()
