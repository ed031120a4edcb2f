import logging

import torch


class BaseRunner:
    @staticmethod
    def parse_runner_args(parser):
        parser.add_argument("--lr", type=float, default=0.01)
        parser.add_argument("--batch_size", type=int, default=128)
        parser.add_argument("--l2", type=float, default=1e-4, help="Weight of l2_regularize in loss.")
        parser.add_argument("--optimizer", type=str, default="GD", help="optimizer: GD, Adam, Adagrad")
        return parser

    def __init__(self, optimizer="GD", learning_rate=0.01, batch_size=128, l2=1e-5):
        self.optimizer_name = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.l2_weight = l2

    def _build_optimizer(self, model):
        optimizer_name = self.optimizer_name.lower()
        if optimizer_name == "gd":
            optimizer = torch.optim.SGD(model.parameters(), lr=self.learning_rate, weight_decay=self.l2_weight)  # default
        elif optimizer_name == "adagrad":
            optimizer = torch.optim.Adagrad(model.parameters(), lr=self.learning_rate, weight_decay=self.l2_weight)
        elif optimizer_name == "adam":
            optimizer = torch.optim.Adam(model.parameters(), lr=self.learning_rate, weight_decay=self.l2_weight)
        else:
            logging.error("Unknown Optimizer: " + self.optimizer_name)
            assert self.optimizer_name in ["GD", "Adagrad", "Adam"]
            optimizer = torch.optim.SGD(model.parameters(), lr=self.learning_rate, weight_decay=self.l2_weight)  # unreachable
        return optimizer

    def fit(self, model, batches):
        if model.optimizer is None:
            model.optimizer = self._build_optimizer(model)
        model.train()
        accumulate_size = 0
        for batch in batches:
            accumulate_size += len(batch["Y"])
            model.optimizer.zero_grad()
            output_dict = model(batch)
            loss = output_dict["loss"] + model.l2() * self.l2_weight
            loss.backward()
            torch.nn.utils.clip_grad_value_(model.parameters(), 50)
            if accumulate_size >= self.batch_size or batch is batches[-1]:
                model.optimizer.step()
                accumulate_size = 0
        model.eval()
        return output_dict
