import numpy as np
import torch
from torch.cuda.amp import GradScaler, autocast
from torch.utils.data import DataLoader
from transformers import AdamW, AutoModel, get_cosine_schedule_with_warmup, get_linear_schedule_with_warmup


class Config:
    backbone = "microsoft/deberta-v3-large"
    batch_size = 4
    apex = True
    device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
    nepochs = 5
    gradient_accumulation_steps = 1.0
    max_grad_norm = 1000
    use_awp = True
    start_awp_epoch = 2
    adv_lr = 1e-5
    adv_eps = 1e-3
    lr = 1e-5
    weight_decay = 1e-2
    encoder_lr = 1e-5
    decoder_lr = 1e-5
    eps = 1e-6
    betas = (0.9, 0.999)
    scheduler_type = "cosine"
    num_cycles = 0.5
    num_warmup_steps = 100
    batch_scheduler = True


cfg = Config()


def train_fn(cfg, model, train_dataloader, optimizer, epoch, num_train_steps, scheduler, swa_model=None, swa_scheduler=None):
    scaler = GradScaler(enabled=cfg.apex)
    if cfg.use_awp:
        awp = AWP(model, optimizer, adv_lr=cfg.adv_lr, adv_eps=cfg.adv_eps, start_step=cfg.start_awp_epoch, scaler=scaler)
    for i, item in enumerate(train_dataloader):
        model.train()
        input_ids = item["input_ids"].to(cfg.device)
        attention_mask = item["attention_mask"].to(cfg.device)
        token_type_ids = item["token_type_ids"].to(cfg.device)
        labels = item["labels"].to(cfg.device)
        with autocast(enabled=cfg.apex):
            batch_loss, _ = model(input_ids, attention_mask, token_type_ids, labels)
        if cfg.gradient_accumulation_steps > 1:
            batch_loss = batch_loss / cfg.gradient_accumulation_steps
        scaler.scale(batch_loss).backward()
        if cfg.use_awp and epoch >= cfg.start_awp_epoch:
            if (i + 1) % cfg.gradient_accumulation_steps == 0:
                awp.attack_backward(item, epoch)
        grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.max_grad_norm)
        if (i + 1) % cfg.gradient_accumulation_steps == 0:
            scaler.step(optimizer)
            scaler.update()
            if swa_model is not None:
                swa_model.update_parameters(model)
                swa_scheduler.step()
            else:
                if cfg.batch_scheduler:
                    scheduler.step()
            optimizer.zero_grad()


def get_optimizer(cfg, model):
    no_decay = ["bias", "LayerNorm.bias", "LayerNorm.weight"]
    optimizer_parameters = [
        {"params": [p for n, p in model.backbone.named_parameters() if not any(nd in n for nd in no_decay)], "lr": cfg.encoder_lr, "weight_decay": cfg.weight_decay},
        {"params": [p for n, p in model.backbone.named_parameters() if any(nd in n for nd in no_decay)], "lr": cfg.encoder_lr, "weight_decay": 0.0},
        {"params": [p for n, p in model.named_parameters() if "backbone" not in n], "lr": cfg.decoder_lr, "weight_decay": 0.0},
    ]
    optimizer = AdamW(optimizer_parameters, lr=cfg.lr, eps=cfg.eps, betas=cfg.betas)
    return optimizer


def get_scheduler(cfg, optimizer, num_train_steps):
    if cfg.scheduler_type == "linear":
        scheduler = get_linear_schedule_with_warmup(optimizer, num_warmup_steps=cfg.num_warmup_steps, num_training_steps=num_train_steps)
    elif cfg.scheduler_type == "cosine":
        scheduler = get_cosine_schedule_with_warmup(optimizer, num_warmup_steps=cfg.num_warmup_steps, num_training_steps=num_train_steps, num_cycles=cfg.num_cycles)
    return scheduler


def training_loop(cfg, train_dataset, fold=0):
    train_dataloader = DataLoader(train_dataset, batch_size=cfg.batch_size, shuffle=True)
    model = FeedbackPrize2_Model(cfg).to(cfg.device)
    optimizer = get_optimizer(cfg, model)
    num_training_steps = int(len(train_dataloader) * cfg.nepochs)
    scheduler = get_scheduler(cfg, optimizer, num_training_steps)
    for epoch in range(cfg.nepochs):
        if epoch == 3:
            break
        train_fn(cfg, model, train_dataloader, optimizer, epoch, num_training_steps, scheduler)
