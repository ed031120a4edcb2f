import os

import torch
import torch.distributed as dist
from omegaconf import OmegaConf
from peft import LoraConfig, TaskType, get_peft_model
from peft.optimizers import create_loraplus_optimizer
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.optim import AdamW
from torch.utils.data import DataLoader
from torch.utils.data.distributed import DistributedSampler
from transformers import get_cosine_schedule_with_warmup

from train import forward_unified_voice, load_unified_voice


class DDPTrainer:
    def __init__(self, config, rank, world_size):
        self.config = config
        self.rank = rank
        self.world_size = world_size
        self.device = torch.device(f"cuda:{rank}")
        model = load_unified_voice(config.gpt, self.device)
        lora = config.train.lora
        model.requires_grad_(False)
        model.inference_model = get_peft_model(model.inference_model, LoraConfig(r=lora.r, target_modules=lora.target_modules, task_type=TaskType.CAUSAL_LM, lora_alpha=lora.lora_alpha, bias="none"))
        self.model = DDP(model, device_ids=[rank], output_device=rank, find_unused_parameters=False)
        for spk, cond in config.speakers.items():
            self.model.module.register_parameter(f"mean_condition_{spk}", torch.nn.Parameter(torch.as_tensor(cond, device=self.device)))

    def setup_optimizer(self, num_training_steps):
        opt = self.config.train.optimizer
        self.optimizer = create_loraplus_optimizer(model=self.model, optimizer_cls=AdamW, lr=opt.learning_rate, loraplus_lr_ratio=opt.loraplus_lr_ratio, weight_decay=opt.weight_decay)
        warmup = opt.get("warmup_steps", None)
        if warmup is None:
            ratio = opt.get("warmup_ratio", 0.0)
            warmup = max(1, int(num_training_steps * ratio)) if ratio > 0 else 0
        self.scheduler = get_cosine_schedule_with_warmup(self.optimizer, num_warmup_steps=warmup, num_training_steps=max(num_training_steps, warmup + 1))

    def train(self, train_ds):
        cfg = self.config.train
        sampler = DistributedSampler(train_ds, num_replicas=self.world_size, rank=self.rank, shuffle=True)
        loader = DataLoader(train_ds, batch_size=cfg.get("batch_size", 1), sampler=sampler)
        steps_per_epoch = len(loader)
        total_update_steps = steps_per_epoch * cfg.epochs
        self.setup_optimizer(num_training_steps=total_update_steps)
        for epoch in range(cfg.epochs):
            sampler.set_epoch(epoch)
            self.model.train()
            for batch_idx, batch in enumerate(loader):
                out = forward_unified_voice(self.model.module, batch)
                loss_text, loss_mel = out["loss"]
                loss = cfg.text_weight * loss_text + (1.0 - cfg.text_weight) * loss_mel
                if torch.isnan(loss) or torch.isinf(loss):
                    continue
                self.optimizer.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(self.model.parameters(), cfg.max_grad_norm)
                self.optimizer.step()
                self.scheduler.step()
            dist.barrier()


def main():
    config = OmegaConf.load("finetune_models/config.yaml")
    rank = int(os.environ["LOCAL_RANK"])
    world = int(os.environ["WORLD_SIZE"])
    dist.init_process_group("nccl", rank=rank, world_size=world)
    DDPTrainer(config, rank, world).train(train_ds=None)
