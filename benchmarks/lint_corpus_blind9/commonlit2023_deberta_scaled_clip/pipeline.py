import hydra
import torch
import torch.nn as nn
from omegaconf import DictConfig
from torch.optim import AdamW
from torch.utils.data import DataLoader
from transformers import get_cosine_schedule_with_warmup

from models import CustomModel

DEVICE = torch.device("cuda" if torch.cuda.is_available() else "cpu")


def train_fn(train_loader, model, criterion, optimizer, scheduler, epoch, cfg):
    model.train()
    scaler = torch.cuda.amp.GradScaler(enabled=True)
    global_step = 0
    for step, (inputs, labels) in enumerate(train_loader):
        inputs = {k: v.to(DEVICE) for k, v in inputs.items()}
        labels = labels.to(DEVICE)
        with torch.cuda.amp.autocast(enabled=True):
            y_preds = model(inputs)
            loss = criterion(y_preds, labels)
        if cfg.gradient_accumulation_steps > 1:
            loss = loss / cfg.gradient_accumulation_steps
        scaler.scale(loss).backward()
        grad_norm = nn.utils.clip_grad_norm_(model.parameters(), cfg.max_grad_norm)
        if (step + 1) % cfg.gradient_accumulation_steps == 0:
            scaler.step(optimizer)
            scaler.update()
            optimizer.zero_grad()
            global_step += 1
            if cfg.batch_scheduler:
                scheduler.step()
    return global_step


def train_loop(train_folds, train_dataset, cfg):
    train_loader = DataLoader(train_dataset, batch_size=cfg.loader.train.batch_size, shuffle=True, drop_last=True)
    model = CustomModel(cfg, config_path=None, pretrained=True)
    model.to(DEVICE)

    def get_optimizer_params(model, encoder_lr, decoder_lr, weight_decay=0.0):
        no_decay = ["bias", "LayerNorm.bias", "LayerNorm.weight"]
        return [
            {"params": [p for n, p in model.model.named_parameters() if not any(nd in n for nd in no_decay)], "lr": encoder_lr, "weight_decay": weight_decay},
            {"params": [p for n, p in model.model.named_parameters() if any(nd in n for nd in no_decay)], "lr": encoder_lr, "weight_decay": 0.0},
            {"params": [p for n, p in model.named_parameters() if "model" not in n], "lr": decoder_lr, "weight_decay": 0.0},
        ]

    optimizer_parameters = get_optimizer_params(model, cfg.optimizer.params.lr, cfg.optimizer.params.lr, cfg.optimizer.params.weight_decay)
    optimizer = AdamW(optimizer_parameters, lr=cfg.optimizer.params.lr, eps=cfg.optimizer.params.eps)
    num_train_steps = int(len(train_folds) / cfg.loader.train.batch_size * cfg.epochs)
    scheduler = get_cosine_schedule_with_warmup(
        optimizer,
        num_warmup_steps=cfg.scheduler.params.num_warmup_steps,
        num_training_steps=num_train_steps,
        num_cycles=cfg.scheduler.params.num_cycles,
    )
    criterion = nn.SmoothL1Loss(reduction="mean")
    for epoch in range(cfg.epochs):
        train_fn(train_loader, model, criterion, optimizer, scheduler, epoch, cfg)


@hydra.main(version_base=None, config_path="../conf/", config_name="config")
def main(cfg: DictConfig) -> None:
    train_loop(cfg.train_folds, cfg.train_dataset, cfg)
