import torch
import torch.distributed as dist
import torch.nn as nn
import yaml
from torch import amp
from torch.cuda.amp import GradScaler
from torch.utils.data import DataLoader, DistributedSampler
from torchvision import models

from data import get_b3_loaders


class PersonClassifier(nn.Module):
    def __init__(self, num_classes):
        super().__init__()
        self.trunk = nn.Sequential(*list(models.resnet50(weights=models.ResNet50_Weights.DEFAULT).children())[:-1])
        self.fc = nn.Sequential(nn.Linear(2048, 1024), nn.BatchNorm1d(1024), nn.ReLU(), nn.Dropout(0.5), nn.Linear(1024, num_classes))

    def forward(self, x):
        return self.fc(self.trunk(x).flatten(1))


def train_worker(rank, world_size, config_path):
    dist.init_process_group(backend="nccl", init_method="tcp://127.0.0.1:29500", world_size=world_size, rank=rank)
    torch.cuda.set_device(rank)
    device = torch.device(f"cuda:{rank}")
    with open(config_path) as f:
        config = yaml.safe_load(f)
    model = PersonClassifier(config["model"]["person_activity"]["num_classes"]).to(device)
    model = nn.SyncBatchNorm.convert_sync_batchnorm(model)
    model = nn.parallel.DistributedDataParallel(model, device_ids=[rank], output_device=rank)

    opt_cfg = config["training"]["person_activity"]
    if opt_cfg["optimizer"].lower() == "adamw":
        optimizer = torch.optim.AdamW(model.parameters(), lr=opt_cfg.get("learning_rate", 4e-4), weight_decay=opt_cfg.get("weight_decay", 1.0), betas=(0.9, 0.999))
    elif opt_cfg["optimizer"].lower() == "adam":
        optimizer = torch.optim.Adam(model.parameters(), lr=opt_cfg.get("learning_rate", 1e-3), weight_decay=opt_cfg.get("weight_decay", 0.0))
    else:
        optimizer = torch.optim.SGD(model.parameters(), lr=opt_cfg.get("learning_rate", 1e-3), weight_decay=opt_cfg.get("weight_decay", 0.0), momentum=opt_cfg.get("momentum", 0.9))
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="min", patience=3, factor=0.1, min_lr=1e-6)

    train_set = get_b3_loaders(split=config["data"]["train_split"])
    sampler = DistributedSampler(train_set, num_replicas=world_size, rank=rank, shuffle=True)
    loader = DataLoader(train_set, batch_size=config["model"]["person_activity"].get("batch_size", 256), sampler=sampler)
    criterion = nn.CrossEntropyLoss(label_smoothing=0.01).to(device)
    use_amp = opt_cfg.get("use_amp", False)
    scaler = GradScaler() if use_amp else None
    for epoch in range(opt_cfg.get("epochs", 1)):
        model.train()
        sampler.set_epoch(epoch)
        for batch_idx, (data, target) in enumerate(loader):
            data, target = data.to(device), target.to(device, dtype=torch.long)
            optimizer.zero_grad()
            if use_amp:
                with amp.autocast("cuda", dtype=torch.float16):
                    loss = criterion(model(data), target)
                scaler.scale(loss).backward()
                scaler.step(optimizer)
                scaler.update()
            else:
                loss = criterion(model(data), target)
                loss.backward()
                optimizer.step()
