import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP

from Trainers import DDPTrainer
from utils.ddp_utils import init_distributed_mode, is_master
from utils.utils import create_and_load_model, create_criterion_and_optimizer


def train_and_val(cfg, train_data_loader, validator):
    if cfg.performance.ddp:
        init_distributed_mode(cfg)
    device = torch.device(cfg.performance.device)
    model, tags = create_and_load_model(cfg)
    model.to(device)
    model_no_ddp = model
    if cfg.performance.ddp:
        model = DDP(model, device_ids=[cfg.rank], find_unused_parameters=False)
        model_no_ddp = model.module
    criterion, optimizer, goal_type = create_criterion_and_optimizer(cfg, model_no_ddp, train_data_loader)
    if cfg.optimizer.use_scheduler:
        scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, patience=cfg.optimizer.s_patience, factor=cfg.optimizer.s_factor)
    trainer = DDPTrainer(criterion, device, cfg)
    val_loss_mean = 0.0
    for i in range(cfg.training.epochs):
        train_loss, train_r2 = trainer.train_epoch(model, train_data_loader, optimizer, i)
        if is_master() and i % 10 == 0:
            res = validator.validate(model_no_ddp, i)
            val_loss_mean = res["val/loss"]
        dist.barrier()
        if cfg.optimizer.use_scheduler:
            val_loss_tensor = torch.tensor(val_loss_mean, device=device)
            dist.broadcast(val_loss_tensor, src=0)
            scheduler.step(val_loss_tensor)
