import logging

import torch

from utils.global_p import LOSS, LOSS_L2, Y


class BaseRunner:
    @staticmethod
    def parse_runner_args(parser):
        parser.add_argument("--epoch", type=int, default=100)
        parser.add_argument("--lr", type=float, default=0.001, help="Learning rate.")
        parser.add_argument("--batch_size", type=int, default=128)
        parser.add_argument("--l2_bias", type=int, default=0, help="Whether add l2 regularizer on bias.")
        parser.add_argument("--l2", type=float, default=1e-5, help="Weight of l2_regularize in pytorch optimizer.")
        parser.add_argument("--l2s", type=float, default=0.0, help="Weight of l2_regularize in loss.")
        parser.add_argument("--grad_clip", type=float, default=10, help="clip_grad_value_ para, -1 means, no clip")
        parser.add_argument("--optimizer", type=str, default="Adam", help="optimizer: GD, Adam, Adagrad")
        return parser

    def __init__(self, optimizer="GD", lr=0.01, epoch=100, batch_size=128, l2=1e-5, l2s=1e-5, l2_bias=0, grad_clip=10):
        self.optimizer_name = optimizer
        self.lr = lr
        self.epoch = epoch
        self.batch_size = batch_size
        self.l2_weight = l2
        self.l2s_weight = l2s
        self.l2_bias = l2_bias
        self.grad_clip = grad_clip

    def _build_optimizer(self, model):
        weight_p, bias_p = [], []
        for name, p in model.named_parameters():
            if not p.requires_grad:
                continue
            if "bias" in name:
                bias_p.append(p)
            else:
                weight_p.append(p)
        if self.l2_bias == 1:
            optimize_dict = [{"params": weight_p + bias_p, "weight_decay": self.l2_weight}]
        else:
            optimize_dict = [{"params": weight_p, "weight_decay": self.l2_weight}, {"params": bias_p, "weight_decay": 0.0}]

        optimizer_name = self.optimizer_name.lower()
        if optimizer_name == "gd":
            optimizer = torch.optim.SGD(optimize_dict, lr=self.lr)
        elif optimizer_name == "adagrad":
            optimizer = torch.optim.Adagrad(optimize_dict, lr=self.lr)
        elif optimizer_name == "adam":
            logging.info("Optimizer: Adam")
            optimizer = torch.optim.Adam(optimize_dict, lr=self.lr)
        else:
            optimizer = torch.optim.SGD(optimize_dict, lr=self.lr)
        return optimizer

    def fit(self, model, batches, data_processor):
        if model.optimizer is None:
            model.optimizer = self._build_optimizer(model)
        # ranking batches carry one sampled negative per positive
        batch_size = self.batch_size if data_processor.rank == 0 else self.batch_size * 2
        model.train()
        accumulate_size = 0
        for i, batch in enumerate(batches):
            accumulate_size += len(batch[Y])
            model.optimizer.zero_grad()
            output_dict = model(batch)
            l2 = output_dict[LOSS_L2]
            loss = output_dict[LOSS] + l2 * self.l2s_weight
            loss.backward()
            if self.grad_clip > 0:
                torch.nn.utils.clip_grad_value_(model.parameters(), self.grad_clip)
            if accumulate_size >= batch_size or i == len(batches) - 1:
                model.optimizer.step()
                accumulate_size = 0
