import argparse
import os
from contextlib import nullcontext

import torch
import torch.distributed as dist
import torch.nn as nn
import yaml
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader

from data.bars_dataset import CTRMapDataset, make_collate_fn
from models.ctr_models import build_model


def is_dist():
    return dist.is_available() and dist.is_initialized()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", type=str, default=os.path.join(os.path.dirname(__file__), "config", "rankmixer_small.yaml"))
    args = parser.parse_args()
    if "RANK" in os.environ:
        dist.init_process_group(backend="nccl")
    with open(args.config) as f:
        cfg = yaml.safe_load(f)
    train_cfg = cfg["training"]
    device = "cuda"
    model = build_model(cfg).to(device)
    if is_dist():
        model = DDP(model, device_ids=[int(os.environ.get("LOCAL_RANK", 0))])

    opt_name = train_cfg.get("optimizer", "adam").lower()
    weight_decay = train_cfg.get("weight_decay", 0.0)
    if opt_name == "adamw":
        optimizer = torch.optim.AdamW(model.parameters(), lr=train_cfg["learning_rate"], weight_decay=weight_decay)
    else:
        optimizer = torch.optim.Adam(model.parameters(), lr=train_cfg["learning_rate"], weight_decay=weight_decay)
    criterion = nn.BCEWithLogitsLoss()

    accum_steps = train_cfg.get("gradient_accumulation_steps", 1)
    micro_batch_size = train_cfg["batch_size"] // accum_steps
    train_dataset = CTRMapDataset(cfg)
    for epoch in range(train_cfg["num_epochs"]):
        train_loader = DataLoader(train_dataset, batch_size=micro_batch_size, shuffle=True, collate_fn=make_collate_fn(cfg))
        model.train()
        step = 0
        optimizer.zero_grad()
        for batch in train_loader:
            *features, labels = [t.to(device) for t in batch]
            is_accum_last = (step + 1) % accum_steps == 0
            sync_ctx = model.no_sync() if (is_dist() and not is_accum_last) else nullcontext()
            with sync_ctx:
                main_logits, aux_output = model(*features)
                loss = criterion(main_logits, labels) + aux_output
                scaled_loss = loss / accum_steps
            scaled_loss.backward()
            step += 1
            if is_accum_last:
                torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=train_cfg["grad_clip_norm"])
                optimizer.step()
                optimizer.zero_grad()
        if step % accum_steps != 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=train_cfg["grad_clip_norm"])
            optimizer.step()
            optimizer.zero_grad()


if __name__ == "__main__":
    main()
