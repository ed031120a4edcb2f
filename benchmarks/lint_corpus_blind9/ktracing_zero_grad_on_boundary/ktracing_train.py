import argparse

import torch
from torch.utils.data import DataLoader
from transformers import AdamW, get_linear_schedule_with_warmup

import ktracing_data
import ktracing_models


class CFG:
    learning_rate = 3.0e-3
    batch_size = 128
    num_train_epochs = 5
    warmup_steps = 1
    max_grad_norm = 100
    gradient_accumulation_steps = 1
    weight_decay = 0.01
    emb_size = 50
    hidden_size = 10
    nlayers = 2
    nheads = 10
    seq_len = 50


def main(train_df, train_samples, cate_offset):
    parser = argparse.ArgumentParser("")
    parser.add_argument("--batch_size", type=int, default=CFG.batch_size)
    parser.add_argument("--grad_accums", type=int, default=CFG.gradient_accumulation_steps)
    parser.add_argument("--encoder", type=str, default="TRANSFORMER")
    args = parser.parse_args()
    CFG.gradient_accumulation_steps = args.grad_accums
    CFG.batch_size = args.batch_size // CFG.gradient_accumulation_steps
    CFG.encoder = args.encoder
    CFG.total_cate_size = cate_offset
    model = ktracing_models.encoders[CFG.encoder](CFG)
    model.cuda()
    train_db = ktracing_data.KTDataset(CFG, train_df, train_samples)
    train_loader = DataLoader(train_db, batch_size=CFG.batch_size, shuffle=True)
    param_optimizer = list(model.named_parameters())
    no_decay = ["bias", "LayerNorm.bias", "LayerNorm.weight"]
    optimizer_grouped_parameters = [
        {"params": [p for n, p in param_optimizer if not any(nd in n for nd in no_decay)], "weight_decay": 0.01},
        {"params": [p for n, p in param_optimizer if any(nd in n for nd in no_decay)], "weight_decay": 0.0},
    ]
    optimizer = AdamW(optimizer_grouped_parameters, lr=CFG.learning_rate, weight_decay=CFG.weight_decay)
    num_train_optimization_steps = int(len(train_db) / CFG.batch_size / CFG.gradient_accumulation_steps) * 7
    scheduler = get_linear_schedule_with_warmup(optimizer, num_warmup_steps=CFG.warmup_steps, num_training_steps=num_train_optimization_steps)
    for epoch in range(CFG.num_train_epochs):
        train(train_loader, model, optimizer, epoch, scheduler)


def train(train_loader, model, optimizer, epoch, scheduler):
    model.train()
    global_step = 0
    for step, (cate_x, cont_x, mask, y) in enumerate(train_loader):
        cate_x, cont_x, mask, y = cate_x.cuda(), cont_x.cuda(), mask.cuda(), y.cuda()
        pred = model(cate_x, cont_x, mask)
        loss = torch.nn.BCELoss()(pred, y)
        if CFG.gradient_accumulation_steps > 1:
            loss = loss / CFG.gradient_accumulation_steps
        grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), CFG.max_grad_norm)
        if (step + 1) % CFG.gradient_accumulation_steps == 0:
            scheduler.step()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            global_step += 1
        else:
            loss.backward()
