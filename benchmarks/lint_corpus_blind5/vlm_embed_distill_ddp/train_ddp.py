import os

import torch
import torch.distributed as dist
from torch.distributed import init_process_group
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.optim import AdamW
from torch.utils.data import DataLoader, DistributedSampler
from transformers import HfArgumentParser, get_cosine_schedule_with_warmup

from src.arguments import DataArguments, ModelArguments, TrainingArguments
from src.single_wrapper import SingleDataset, SingleWrapper


class Trainer:
    def __init__(self, model_wrapper, train_data, optimizer, lr_scheduler, criterion, training_args):
        self.gpu_id = int(os.environ["LOCAL_RANK"])
        self.device = torch.device(f"cuda:{self.gpu_id}")
        self.model_wrapper = DDP(model_wrapper.to(self.device), device_ids=[self.gpu_id])
        self.train_data = train_data
        self.optimizer = optimizer
        self.lr_scheduler = lr_scheduler
        self.criterion = criterion
        self.training_args = training_args

    def run_epoch(self, epoch):
        self.train_data.sampler.set_epoch(epoch)
        for batch_idx, batch in enumerate(self.train_data):
            loss_dict = self.model_wrapper(self.criterion, batch)
            loss = loss_dict["loss"] / self.training_args.gradient_accumulation_steps
            loss.backward()
            if (batch_idx + 1) % self.training_args.gradient_accumulation_steps == 0:
                self.optimizer.step()
                self.lr_scheduler.step()
                self.optimizer.zero_grad()

    def train(self):
        for epoch in range(self.training_args.num_train_epochs):
            self.run_epoch(epoch)


def main(criterion):
    parser = HfArgumentParser((ModelArguments, DataArguments, TrainingArguments))
    model_args, data_args, training_args = parser.parse_args_into_dataclasses()
    torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    init_process_group(backend="nccl")
    model_wrapper = SingleWrapper(model_args, training_args)
    dataset = SingleDataset(data_args, model_args)
    loader = DataLoader(dataset, batch_size=training_args.per_device_train_batch_size, sampler=DistributedSampler(dataset, shuffle=True), drop_last=True)
    for n, p in model_wrapper.model.named_parameters():
        if "mm_projector" in n:
            p.requires_grad = True
    optimizer = AdamW(model_wrapper.model.parameters(), lr=training_args.learning_rate, weight_decay=training_args.weight_decay, betas=(0.9, 0.999), eps=1e-8)
    total_steps = (len(loader.dataset) // (training_args.per_device_train_batch_size * dist.get_world_size()) // training_args.gradient_accumulation_steps) * training_args.num_train_epochs
    lr_scheduler = get_cosine_schedule_with_warmup(optimizer, num_warmup_steps=training_args.warmup_ratio * total_steps, num_training_steps=total_steps)
    Trainer(model_wrapper, loader, optimizer, lr_scheduler, criterion, training_args).train()
