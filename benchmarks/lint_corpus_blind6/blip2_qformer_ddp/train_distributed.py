import os

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.optim import AdamW
from torch.utils.data import DataLoader
from torch.utils.data.distributed import DistributedSampler
from transformers import Blip2ForConditionalGeneration, get_linear_schedule_with_warmup

from data import TrainDataset


def train(rank, world_size):
    os.environ["MASTER_ADDR"] = "localhost"
    os.environ["MASTER_PORT"] = "12355"
    dist.init_process_group("nccl", rank=rank, world_size=world_size)
    model = Blip2ForConditionalGeneration.from_pretrained("Salesforce/blip2-flan-t5-xl").to(rank)
    model = DDP(model, device_ids=[rank])
    for name, param in model.named_parameters():
        param.requires_grad = "qformer" in name
    train_dataset = TrainDataset("r2r/", "./train_annotations.json")
    train_sampler = DistributedSampler(train_dataset, num_replicas=world_size, rank=rank)
    train_dataloader = DataLoader(train_dataset, batch_size=4, sampler=train_sampler, num_workers=4)
    num_epochs = 5
    gradient_accumulation_steps = 4
    total_steps = len(train_dataloader) * num_epochs
    optimizer = AdamW(model.parameters(), lr=1e-4)
    scheduler = get_linear_schedule_with_warmup(optimizer=optimizer, num_warmup_steps=100, num_training_steps=total_steps)
    for epoch in range(num_epochs):
        model.train()
        train_sampler.set_epoch(epoch)
        for step, batch in enumerate(train_dataloader):
            batch = {k: v.to(rank) for k, v in batch.items()}
            labels = batch["input_ids"].clone()
            outputs = model(pixel_values=batch["pixel_values"], input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], labels=labels)
            loss = outputs.loss
            loss = loss / gradient_accumulation_steps
            loss.backward()
            if (step + 1) % gradient_accumulation_steps == 0:
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad()
    dist.destroy_process_group()


if __name__ == "__main__":
    world_size = 4
    torch.multiprocessing.spawn(train, args=(world_size,), nprocs=world_size, join=True)
