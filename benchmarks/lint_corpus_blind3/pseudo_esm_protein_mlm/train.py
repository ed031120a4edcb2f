import os

import hydra
import torch
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.optim import AdamW

from pseudoESM.esm.model import ProteinBertModel
from pseudoESM.trainer import Trainer


@hydra.main(config_path="configs", config_name="train.yaml")
def main(cfg):
    local_rank = int(os.environ["LOCAL_RANK"])
    device = torch.device("cuda", local_rank)
    model = ProteinBertModel(cfg.model.protein_bert_base).to(device)
    if cfg.mode.gpu:
        model = DDP(model, device_ids=[local_rank], output_device=local_rank, find_unused_parameters=True)

    optimizer = AdamW(model.parameters(), lr=cfg.train.learning_rate, eps=cfg.train.adam_epsilon)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(
        optimizer, T_0=cfg.train.lr_scheduler.T_0, T_mult=cfg.train.lr_scheduler.T_mult, eta_min=cfg.train.lr_scheduler.eta_min
    )
    if cfg.other.debug:
        cfg.train.num_epoch = 10
        cfg.train.gradient_accumulation_steps = 1
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 1, gamma=0.99)
    trainer = Trainer(model, None, None, optimizer, scheduler, device, cfg)
    return trainer


if __name__ == "__main__":
    main()
