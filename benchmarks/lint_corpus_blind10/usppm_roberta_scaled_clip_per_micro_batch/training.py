import torch.nn as nn
import yaml
from torch.optim import AdamW
from torch.utils.data import DataLoader
from transformers import get_cosine_schedule_with_warmup, get_linear_schedule_with_warmup

from src.data import TrainDataset
from src.model import CustomModel
from src.train import train_fn

with open("config.yaml", "r") as file_obj:
    CFG = yaml.safe_load(file_obj)


def get_optimizer_params(model, encoder_lr, decoder_lr, weight_decay=0.0):
    no_decay = ["bias", "LayerNorm.bias", "LayerNorm.weight"]
    return [
        {"params": [p for n, p in model.model.named_parameters() if not any(nd in n for nd in no_decay)], "lr": encoder_lr, "weight_decay": weight_decay},
        {"params": [p for n, p in model.model.named_parameters() if any(nd in n for nd in no_decay)], "lr": encoder_lr, "weight_decay": 0.0},
        {"params": [p for n, p in model.named_parameters() if "model" not in n], "lr": decoder_lr, "weight_decay": 0.0},
    ]


def get_scheduler(cfg, optimizer, num_train_steps):
    if cfg["scheduler"] == "linear":
        scheduler = get_linear_schedule_with_warmup(optimizer, num_warmup_steps=cfg["num_warmup_steps"], num_training_steps=num_train_steps)
    elif cfg["scheduler"] == "cosine":
        scheduler = get_cosine_schedule_with_warmup(optimizer, num_warmup_steps=cfg["num_warmup_steps"], num_training_steps=num_train_steps, num_cycles=cfg["num_cycles"])
    return scheduler


def train_loop(folds, fold, device):
    train_folds = folds[folds["fold"] != fold].reset_index(drop=True)
    train_loader = DataLoader(TrainDataset(CFG, train_folds), batch_size=CFG["batch_size"], shuffle=True, drop_last=True)
    model = CustomModel(CFG, config_path=None, pretrained=True)
    model.to(device)
    optimizer_parameters = get_optimizer_params(model, encoder_lr=CFG["encoder_lr"], decoder_lr=CFG["decoder_lr"], weight_decay=CFG["weight_decay"])
    optimizer = AdamW(optimizer_parameters, lr=CFG["encoder_lr"], eps=CFG["eps"], betas=(CFG["betas"][0], CFG["betas"][1]))
    num_train_steps = int(len(train_folds) / CFG["batch_size"] * CFG["epochs"])
    scheduler = get_scheduler(CFG, optimizer, num_train_steps)
    criterion = nn.BCEWithLogitsLoss(reduction="mean")
    for epoch in range(CFG["epochs"]):
        train_fn(fold, train_loader, model, criterion, optimizer, epoch, scheduler, device, CFG)
