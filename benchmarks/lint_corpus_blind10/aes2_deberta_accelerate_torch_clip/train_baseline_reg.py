import torch
from accelerate import Accelerator
from omegaconf import OmegaConf
from transformers import get_scheduler

from aes2.stable_training import differential_learning_rate, get_optimizer
from baseline_reg.models import AESRegressionModel


class Trainer(object):
    def __init__(self, model, train_dataloader, optimizer, accelerator, config, scheduler=None):
        self.model = model
        self.train_dataloader = train_dataloader
        self.optimizer = optimizer
        self.accelerator = accelerator
        self.config = config
        self.scheduler = scheduler

    def train_one_epoch(self, epoch):
        self.optimizer.zero_grad()
        self.model.train()
        for x, y in self.train_dataloader:
            logits = self.model(x)
            loss = self.model.compute_loss(logits, y)
            self.accelerator.backward(loss)
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.config.train.max_grad_norm)
            self.optimizer.step()
            if self.scheduler is not None:
                self.scheduler.step()
            self.optimizer.zero_grad()


def main(train_loader):
    config = OmegaConf.load("config.yaml")
    accelerator = Accelerator(cpu=config.train.device == "cpu", mixed_precision=config.train.precision)
    model = AESRegressionModel(config)
    model_parameters = differential_learning_rate(model, encoder_lr=config.optim.optimizer.lr, decoder_lr=config.optim.optimizer.head_lr, weight_decay=config.optim.optimizer.weight_decay, lr_factor=config.model.differential_lr.lr_factor)
    optimizer = get_optimizer(model_parameters, config)
    total_training_steps = int(config.train.epochs * len(train_loader))
    warmup_steps = int(total_training_steps * config.optim.scheduler.get("warmup_percent", 0))
    scheduler = get_scheduler(config.optim.scheduler.name, optimizer, num_warmup_steps=warmup_steps, num_training_steps=total_training_steps)
    model, optimizer, scheduler, train_loader = accelerator.prepare(model, optimizer, scheduler, train_loader)
    trainer = Trainer(model, train_loader, optimizer, accelerator, config, scheduler=scheduler)
    for epoch in range(config.train.epochs):
        trainer.train_one_epoch(epoch)
