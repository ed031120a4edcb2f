import os

import torch
import torch.distributed as dist
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel as DDP

from model_crossattn import MaxMViT_MLP_CrossAttn
from utils import load_config


def get_optimizer_crossattn(model, lr=0.0002, backbone_lr=None, head_lr=None):
    backbone_lr = lr if backbone_lr is None else backbone_lr
    head_lr = (lr * 2) if head_lr is None else head_lr
    maxvit_params = [p for p in model.maxvit.parameters() if p.requires_grad]
    mvitv2_params = [p for p in model.mvitv2.parameters() if p.requires_grad]
    head_side_params = [p for p in model.cross_attn_fusion.parameters() if p.requires_grad]
    head_side_params += [p for p in model.mlp_shared.parameters() if p.requires_grad]
    head_side_params += [p for p in model.emotion_head.parameters() if p.requires_grad]
    optimizers = []
    if maxvit_params:
        optimizers.append(torch.optim.Adam(maxvit_params, lr=backbone_lr))
    if mvitv2_params:
        optimizers.append(torch.optim.RAdam(mvitv2_params, lr=backbone_lr))
    if head_side_params:
        optimizers.append(torch.optim.Adam(head_side_params, lr=head_lr))
    return optimizers


def train_ddp(config_path):
    dist.init_process_group(backend="nccl")
    local_rank = int(os.environ.get("LOCAL_RANK", 0))
    torch.cuda.set_device(local_rank)
    device = torch.device(f"cuda:{local_rank}")
    config = load_config(config_path)
    train_cfg = config["training"]
    EPOCHS = train_cfg.get("epochs", 50)
    LR = train_cfg.get("lr", 0.0002)
    USE_AMP = train_cfg.get("amp", False) and torch.cuda.is_available()
    GRAD_CLIP_NORM = train_cfg.get("grad_clip_norm", 1.0)
    train_loader = None
    model = MaxMViT_MLP_CrossAttn(num_classes=4)
    optimizers = get_optimizer_crossattn(model, lr=LR)
    model.to(device)
    model = DDP(model, device_ids=[local_rank], output_device=local_rank, find_unused_parameters=False)
    scaler = torch.amp.GradScaler("cuda", enabled=USE_AMP)
    schedulers = [torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=EPOCHS, eta_min=1e-6) for opt in optimizers]
    criterion = nn.CrossEntropyLoss()
    for epoch in range(EPOCHS):
        model.train()
        for batch_idx, (cqt, mel, label) in enumerate(train_loader):
            cqt, mel, label = cqt.to(device), mel.to(device), label.to(device)
            for opt in optimizers: opt.zero_grad()
            with torch.amp.autocast("cuda", enabled=USE_AMP):
                outputs = model(cqt, mel)
                loss = criterion(outputs, label)
            scaler.scale(loss).backward()
            for opt in optimizers:
                scaler.unscale_(opt)
            torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=GRAD_CLIP_NORM)
            for opt in optimizers:
                scaler.step(opt)
            scaler.update()
        for sch in schedulers:
            sch.step()
    dist.destroy_process_group()
