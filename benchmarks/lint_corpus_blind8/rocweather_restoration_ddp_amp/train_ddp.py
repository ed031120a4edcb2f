import argparse
import os

import torch
import torch.distributed as dist
import torch.nn as nn
from torch.utils.data.distributed import DistributedSampler

from models.RecWeather import RecWeather
from utils.train_data_functions import TrainData
from utils.utils import init_distributed, synthetic_loss

parser = argparse.ArgumentParser(description="Hyper-parameters for network")
parser.add_argument("--learning_rate", default=2e-4, type=float)
parser.add_argument("--weight_decay", default=1e-4, type=float)
parser.add_argument("--train_batch_size", default=32, type=int)
parser.add_argument("--num_epochs", default=2, type=int)
parser.add_argument("--isapex", default=0, type=int)
args = parser.parse_args()
learning_rate = args.learning_rate
weight_decay = args.weight_decay
train_batch_size = args.train_batch_size
num_epochs = args.num_epochs
isapex = args.isapex
local_rank = int(os.environ["LOCAL_RANK"])
init_distributed()

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
net = RecWeather().to(device)
trainset = TrainData([256, 256], "./data/train/", "train.txt")
train_sampler = DistributedSampler(dataset=trainset, shuffle=True)
train_data_loader = torch.utils.data.DataLoader(trainset, batch_size=train_batch_size, sampler=train_sampler)

optimizer = torch.optim.AdamW(net.parameters(), lr=learning_rate)
optimizer.param_groups[0]["learning_rate"] = learning_rate
optimizer.param_groups[0]["weight_decay"] = weight_decay

scheduler = torch.optim.lr_scheduler.OneCycleLR(
    optimizer,
    max_lr=5e-4,
    div_factor=5,
    final_div_factor=1e2,
    steps_per_epoch=len(train_data_loader.dataset) // train_batch_size,
    epochs=num_epochs,
    anneal_strategy="cos",
)
if isapex:
    use_amp = True
    scaler = torch.cuda.amp.GradScaler(enabled=use_amp)

net = nn.SyncBatchNorm.convert_sync_batchnorm(net.cuda())
net = nn.parallel.DistributedDataParallel(net, device_ids=[local_rank], find_unused_parameters=True)

for epoch in range(num_epochs):
    train_sampler.set_epoch(epoch)
    for id, train_data in enumerate(train_data_loader):
        input_image, gt, imgid = train_data
        input_image = input_image.to(device)
        gt = gt.to(device)
        optimizer.zero_grad(set_to_none=True)
        if isapex:
            with torch.autocast(device_type="cuda", dtype=torch.float16, enabled=use_amp):
                pred_image = net(input_image)
                gt_pred = net(gt)
                loss = synthetic_loss(pred_image, gt, gt_pred)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scheduler.step()
            scaler.update()
        else:
            pred_image = net(input_image)
            gt_pred = net(gt)
            loss = synthetic_loss(pred_image, gt, gt_pred)
            loss.backward()
            optimizer.step()
            scheduler.step()
    dist.barrier()
