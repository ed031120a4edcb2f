import argparse
from typing import Any, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
import yaml
from torch.utils.data import DataLoader


class TransformerBlock(nn.Module):
    def __init__(self, hidden_dim, num_heads, dropout=0.1):
        super().__init__()
        self.self_attn = nn.MultiheadAttention(hidden_dim, num_heads, dropout=dropout, batch_first=True)
        self.self_attn_norm = nn.LayerNorm(hidden_dim)
        self.ff = nn.Sequential(nn.Linear(hidden_dim, 4 * hidden_dim), nn.GELU(), nn.Linear(4 * hidden_dim, hidden_dim))
        self.ff_norm = nn.LayerNorm(hidden_dim)

    def forward(self, x, attn_mask=None):
        x = self.self_attn_norm(x + self.self_attn(x, x, x, attn_mask=attn_mask)[0])
        return self.ff_norm(x + self.ff(x))


class EmotionMIDITransformer(nn.Module):
    def __init__(self, vocab_size=388, hidden_dim=384, num_layers=8, num_heads=6, emotion_dim=64):
        super().__init__()
        self.vocab_size = vocab_size
        self.token_emb = nn.Embedding(vocab_size, hidden_dim)
        self.emotion_encoder = nn.Sequential(nn.Linear(emotion_dim, hidden_dim), nn.GELU(), nn.Linear(hidden_dim, hidden_dim))
        self.layers = nn.ModuleList([TransformerBlock(hidden_dim, num_heads) for _ in range(num_layers)])
        self.norm = nn.LayerNorm(hidden_dim)
        self.lm_head = nn.Linear(hidden_dim, vocab_size)

    def forward(self, input_ids, emotion=None):
        x = self.token_emb(input_ids)
        T = input_ids.shape[1]
        mask = torch.triu(torch.ones(T, T, device=x.device, dtype=torch.bool), diagonal=1)
        for layer in self.layers:
            x = layer(x, attn_mask=mask)
        return self.lm_head(self.norm(x))


def train_epoch(model, dataloader, optimizer, scheduler: Optional[Any], device, config):
    model.train()
    for batch_idx, batch in enumerate(dataloader):
        input_ids = batch["input_ids"].to(device)
        labels = batch["labels"].to(device)
        logits = model(input_ids, batch["emotion"].to(device))
        loss = F.cross_entropy(logits.view(-1, model.vocab_size), labels.view(-1), ignore_index=384, label_smoothing=0.1)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), config.get("grad_clip", 1.0))
        optimizer.step()
        if scheduler:
            scheduler.step()


def main(config_path, train_dataset):
    with open(config_path) as f:
        config = yaml.safe_load(f)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    arch = config.get("model", {}).get("architecture", {})
    model = EmotionMIDITransformer(vocab_size=arch.get("vocab_size", 388), hidden_dim=arch.get("hidden_dim", 384)).to(device)
    data_cfg = config.get("data", {})
    train_loader = DataLoader(train_dataset, batch_size=data_cfg.get("batch_size", 64), shuffle=True)
    optim_cfg = config.get("optim", {})
    optimizer = torch.optim.AdamW(model.parameters(), lr=optim_cfg.get("lr", 3e-4), weight_decay=optim_cfg.get("weight_decay", 0.1))
    sched_cfg = config.get("scheduler", {})
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=sched_cfg.get("max_steps", 30000))
    for epoch in range(config.get("training", {}).get("epochs", 15)):
        train_epoch(model, train_loader, optimizer, scheduler, device, config.get("training", {}))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", default="midi_generator_training_config.yaml")
    main(parser.parse_args().config, None)
