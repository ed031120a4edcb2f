import argparse
import os

import torch
import torch.distributed as dist
import yaml
from torch.nn.parallel import DistributedDataParallel as DDP

from axiom_model.core.model import AxiomV2
from axiom_model.training.dataloader import create_dataloader
from axiom_model.training.scheduler import SchedulerManager
from axiom_model.training.trainer import Trainer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", type=str, default="axiom_model/configs/500M.yaml")
    parser.add_argument("--train_data", type=str, default="./data/bin/train.bin")
    args = parser.parse_args()
    distributed = "RANK" in os.environ
    if distributed:
        dist.init_process_group(backend="nccl")
        local_rank = int(os.environ["LOCAL_RANK"])
        torch.cuda.set_device(local_rank)
    else:
        local_rank = 0
    with open(args.config) as f:
        config = yaml.safe_load(f)
    train_cfg = config.get("training", {})
    device = torch.device(f"cuda:{local_rank}")

    model = AxiomV2(**config["model"]).to(device)
    if distributed:
        model = DDP(model, device_ids=[local_rank])
    optimizer = torch.optim.AdamW(model.parameters(), lr=float(train_cfg.get("learning_rate", 3e-4)), weight_decay=train_cfg.get("weight_decay", 0.1), fused=True)
    scheduler_mgr = SchedulerManager(optimizer, config.get("scheduler", {}))
    loader, sampler = create_dataloader(args.train_data, batch_size=train_cfg.get("batch_size", 8))
    trainer = Trainer(model, optimizer, loader, config)

    it = iter(loader)
    max_micro = train_cfg.get("max_steps", 100000) * train_cfg.get("grad_accum_steps", 16)
    for step in range(max_micro):
        try:
            x, y = next(it)
        except StopIteration:
            it = iter(loader)
            x, y = next(it)
        x, y = x.to(device), y.to(device)
        is_last = (step + 1) % trainer.grad_accum_steps == 0
        if distributed and not is_last:
            with model.no_sync():
                loss, grad_norm = trainer.train_step(x, y, is_last_accum_step=is_last)
        else:
            loss, grad_norm = trainer.train_step(x, y, is_last_accum_step=is_last)
        if is_last:
            scheduler_mgr.step()


if __name__ == "__main__":
    main()
