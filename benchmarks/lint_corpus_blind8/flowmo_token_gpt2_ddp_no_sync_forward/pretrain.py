import contextlib
import os

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.optim import AdamW
from torch.utils.data import DataLoader
from torch.utils.data.distributed import DistributedSampler


class SFTTrainer:
    def __init__(self, rank, world_size, local_rank, batch_size=256, epochs=100, max_grad_norm=1.0, gradient_accumulation_steps=1):
        self.rank = rank
        self.world_size = world_size
        self.device = torch.device(f"cuda:{local_rank}")
        self.epochs = epochs
        self.max_grad_norm = max_grad_norm
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.train_dataset = load_token_dataset()
        model = init_gpt(vocab_size=2048, n_ctx=513, device=self.device)
        if self.world_size > 1:
            self.model = DDP(model, device_ids=[self.rank])
        else:
            self.model = model
        sampler = DistributedSampler(self.train_dataset, num_replicas=world_size, rank=rank, shuffle=True) if world_size > 1 else None
        self.train_dataloader = DataLoader(self.train_dataset, batch_size=batch_size, sampler=sampler, shuffle=sampler is None)
        lr = 1e-4
        self.optimizer = AdamW(self.model.parameters(), lr=lr)

    def train(self):
        for epoch in range(self.epochs):
            self.model.train()
            self.optimizer.zero_grad()
            for idx, batch in enumerate(self.train_dataloader):
                is_sync_step = (idx + 1) % self.gradient_accumulation_steps == 0 or (idx + 1) == len(self.train_dataloader)
                use_no_sync = self.world_size > 1 and not is_sync_step
                context = self.model.no_sync() if use_no_sync else contextlib.nullcontext()
                with context:
                    input_ids = batch["input_ids"].to(self.device)
                    labels = input_ids.clone()
                    outputs = self.model(input_ids=input_ids, labels=labels, return_dict=True)
                    loss = outputs.loss
                    loss = loss / self.gradient_accumulation_steps
                loss.backward()
                if is_sync_step:
                    grad_norm = torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.max_grad_norm)
                    self.optimizer.step()
                    self.optimizer.zero_grad()


def init_gpt(vocab_size, n_ctx=257, device="cuda:0"):
    from transformers import AutoConfig, GPT2LMHeadModel

    config = AutoConfig.from_pretrained("gpt2", vocab_size=vocab_size, n_ctx=n_ctx)
    return GPT2LMHeadModel(config).to(device)


def main_worker(epochs, batch_size, gradient_accumulation_steps):
    world_size = int(os.environ.get("WORLD_SIZE", 1))
    if world_size > 1:
        local_rank = int(os.environ.get("LOCAL_RANK", 0))
        torch.cuda.set_device(local_rank)
        dist.init_process_group("nccl")
        rank = dist.get_rank()
    else:
        rank = 0
        local_rank = 0
    trainer = SFTTrainer(rank=rank, world_size=world_size, local_rank=local_rank, epochs=epochs, batch_size=batch_size, gradient_accumulation_steps=gradient_accumulation_steps)
    trainer.train()


if __name__ == "__main__":
    epochs = 300
    total_batch_size = 256
    gradient_accumulation_steps = 2
    world_size = int(os.environ.get("WORLD_SIZE", 1))
    effective_batch_size = total_batch_size // gradient_accumulation_steps
    per_gpu_batch_size = effective_batch_size // world_size
    main_worker(epochs, per_gpu_batch_size, gradient_accumulation_steps)
