import argparse

import torch
from torch.utils.data import DataLoader

from args import add_bayes_args, add_experiment_args, add_management_args
from data import build_dataset
from models import build_model


class Trainer:
    def __init__(self, args):
        self.args = args
        args.batch_size = 1
        args.epochs = 60
        self.device = torch.device(args.device)
        self.model, self.criterion, self.visualizer = build_model(args)
        self.model.to(self.device)
        param_dicts = [{"params": [p for n, p in self.model.named_parameters() if p.requires_grad]}]
        self.optimizer = torch.optim.AdamW(param_dicts, lr=args.lr, weight_decay=args.weight_decay)
        self.lr_scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(self.optimizer, T_max=args.epochs)
        self.train_loader = DataLoader(build_dataset(image_set="train", args=args), args.batch_size, True)
        self.start_epoch = args.start_epoch
        self.epochs = args.epochs
        self.accumulate_grad_steps = 4

    def train(self):
        for epoch in range(self.start_epoch, self.epochs):
            self.epoch = epoch
            self.train_one_epoch()
            self.lr_scheduler.step()

    def train_one_epoch(self):
        self.model.train()
        total_step = len(self.train_loader)
        train_iterator = iter(self.train_loader)
        for step in range(total_step):
            data_dict = next(train_iterator)
            samples = data_dict["image"].to(self.device)
            targets = data_dict["label"].to(self.device)
            outputs = self.model(samples)
            losses, loss_dict = self.criterion(outputs, targets)
            losses = losses / self.accumulate_grad_steps
            losses.backward()
            if (step + 1) % self.accumulate_grad_steps == 0 or (step + 1) == total_step:
                torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
                self.optimizer.step()
                self.optimizer.zero_grad()


if __name__ == "__main__":
    parser = argparse.ArgumentParser("BayeSeg training", allow_abbrev=False)
    add_experiment_args(parser)
    add_management_args(parser)
    add_bayes_args(parser)
    Trainer(parser.parse_args()).train()
