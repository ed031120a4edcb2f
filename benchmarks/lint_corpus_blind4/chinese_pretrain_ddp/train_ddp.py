import os

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.nn.parallel import DistributedDataParallel as DDP


class MyModule(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.wte = nn.Embedding(config.vocab_size, config.n_embd)
        self.wpe = nn.Embedding(config.block_size, config.n_embd)
        self.h = nn.ModuleList([nn.TransformerEncoderLayer(config.n_embd, config.n_head, batch_first=True) for _ in range(config.n_layer)])
        self.ln_f = nn.LayerNorm(config.n_embd)
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.wte.weight = self.lm_head.weight

    def forward(self, idx, targets):
        x = self.wte(idx) + self.wpe(torch.arange(idx.size(1), device=idx.device))
        for block in self.h:
            x = block(x)
        logits = self.lm_head(self.ln_f(x))
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), reduction="none")
        return logits, loss.view(targets.shape).mean(dim=1)


class DDPEnv:
    def __init__(self):
        self.enabled = int(os.environ.get("RANK", -1)) != -1
        if self.enabled:
            dist.init_process_group(backend="nccl")
            self.ddp_local_rank = int(os.environ["LOCAL_RANK"])
            self.device = f"cuda:{self.ddp_local_rank}"
        else:
            self.device = "cuda"

    def ddp_model_init(self, model):
        model.to(self.device)
        self.model = DDP(model, device_ids=[self.ddp_local_rank]) if self.enabled else model

    def get_model(self):
        return self.model


class Trainer:
    def __init__(self, train_config, module_config, data_loader):
        self.ddp_env = DDPEnv()
        self.ddp_env.ddp_model_init(MyModule(module_config))
        self.model = self.ddp_env.get_model()
        self.optimizer = optim.Adam(self.model.parameters(), lr=1e-4)
        self.data_loader = data_loader
        self.train_config = train_config

    def train(self):
        for epoch in range(self.train_config.num_epochs):
            self.model.train()
            self.optimizer.zero_grad()
            for step in range(self.train_config.steps_per_epoch):
                x, y = self.data_loader.next(self.ddp_env.device)
                _, loss = self.model(x, y)
                loss = loss.mean()
                scaled_loss = loss / self.train_config.gradient_accumulation_steps
                scaled_loss.backward()
                if (step + 1) % self.train_config.gradient_accumulation_steps == 0 or (step + 1 == self.train_config.steps_per_epoch):
                    self.optimizer.step()
                    self.optimizer.zero_grad()


class TrainConfig:
    batch_size = 4
    num_epochs = 10000
    steps_per_epoch = 1000
    gradient_accumulation_steps = 1


class ModuleConfig:
    block_size: int = 1024
    vocab_size: int = 50257
    n_layer: int = 46
    n_head: int = 25
    n_embd: int = 1600


if __name__ == "__main__":
    Trainer(TrainConfig(), ModuleConfig(), None).train()
