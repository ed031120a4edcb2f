import torch
import torch.distributed as dist
import torch.nn as nn
import torch.optim as optim
from torch.nn.parallel import DistributedDataParallel as DDP
from transformers import get_linear_schedule_with_warmup

from src.config import BATCH, LEARNING_RATE, NUM_EPOCHS, OPTIMIZER
from src.dataset import train_dataloader, val_dataloader
from src.model import multimod_alBERTo

dist.init_process_group(backend="nccl")
rank = dist.get_rank()
device_id = rank

model = multimod_alBERTo()
model = model.to(device_id)
model = nn.SyncBatchNorm.convert_sync_batchnorm(model)
model = DDP(model, device_ids=[device_id])

if OPTIMIZER == "AdamW":
    train_data_size = len(train_dataloader.dataset)
    steps_per_epoch = len(train_dataloader)
    num_train_steps = steps_per_epoch * NUM_EPOCHS
    warmup_steps = int(NUM_EPOCHS * train_data_size * 0.1 / BATCH)
    opt = optim.AdamW(model.parameters(), lr=LEARNING_RATE)
    scheduler = get_linear_schedule_with_warmup(opt, num_warmup_steps=warmup_steps, num_training_steps=num_train_steps)
elif OPTIMIZER == "SGD":
    opt = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=0.9)
elif OPTIMIZER == "Adam":
    opt = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="min", factor=0.2, patience=5)

criterion = nn.MSELoss()
for e in range(NUM_EPOCHS):
    model.train()
    for i, (x, met, y) in enumerate(train_dataloader):
        x, met, y = x.to(device_id), met.to(device_id), y.to(device_id)
        opt.zero_grad()
        y_pred = model(x, met)
        loss = criterion(y_pred, y)
        loss.backward()
        opt.step()
        if OPTIMIZER == "AdamW":
            scheduler.step()
dist.destroy_process_group()
