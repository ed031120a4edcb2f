"""Paraphrase of run_finetune_full.py (aHuiWang/CIKM2020-S3Rec): arguments and the fine-tuning run."""
import argparse

from models import S3RecModel
from trainers import FinetuneTrainer


def main(train_dataloader):
    parser = argparse.ArgumentParser()
    parser.add_argument("--hidden_size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.001)
    parser.add_argument("--batch_size", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--weight_decay", type=float, default=0.0, help="weight_decay of adam")
    parser.add_argument("--adam_beta1", type=float, default=0.9)
    parser.add_argument("--adam_beta2", type=float, default=0.999)
    args = parser.parse_args()

    model = S3RecModel(args=args)
    trainer = FinetuneTrainer(model, train_dataloader, args)
    for epoch in range(args.epochs):
        trainer.train(epoch)
