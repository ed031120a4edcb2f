import argparse

import torch.optim as optim
from pytorch_pretrained_bert import BertAdam

from models import get_model
from utils.helpers import get_data_loaders


def get_args(parser):
    parser.add_argument("--batch_sz", type=int, default=128)
    parser.add_argument("--gradient_accumulation_steps", type=int, default=24)
    parser.add_argument("--lr", type=float, default=0.5)
    parser.add_argument("--lr_factor", type=float, default=0.5)
    parser.add_argument("--lr_patience", type=int, default=2)
    parser.add_argument("--max_epochs", type=int, default=100)
    parser.add_argument("--model", type=str, default="bert", choices=["bert", "mmbt", "mult"])
    parser.add_argument("--warmup", type=float, default=0.1)


def get_optimizer(model, args):
    if args.model in ["bert", "mmbt", "mult"]:
        total_steps = args.train_data_len / args.batch_sz / args.gradient_accumulation_steps * args.max_epochs
        param_optimizer = list(model.named_parameters())
        no_decay = ["bias", "LayerNorm.bias", "LayerNorm.weight"]
        grouped = [
            {"params": [p for n, p in param_optimizer if not any(nd in n for nd in no_decay)], "weight_decay": 0.01},
            {"params": [p for n, p in param_optimizer if any(nd in n for nd in no_decay)], "weight_decay": 0.0},
        ]
        optimizer = BertAdam(grouped, lr=args.lr, warmup=args.warmup, t_total=total_steps)
    else:
        optimizer = optim.Adam(model.parameters(), lr=args.lr)
    return optimizer


def train(args, model_forward, criterion):
    train_loader, val_loader, test_loader = get_data_loaders(args)
    model = get_model(args)
    optimizer = get_optimizer(model, args)
    scheduler = optim.lr_scheduler.ReduceLROnPlateau(optimizer, "max", patience=args.lr_patience, factor=args.lr_factor)
    global_step = 0
    for i_epoch in range(args.max_epochs):
        model.train()
        optimizer.zero_grad()
        for batch in train_loader:
            loss, _, _ = model_forward(i_epoch, model, args, criterion, batch)
            if args.gradient_accumulation_steps > 1:
                loss = loss / args.gradient_accumulation_steps
            loss.backward()
            global_step += 1
            if global_step % args.gradient_accumulation_steps == 0:
                optimizer.step()
                optimizer.zero_grad()
        tuning_metric = 0.0
        scheduler.step(tuning_metric)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    get_args(parser)
    args = parser.parse_args()
