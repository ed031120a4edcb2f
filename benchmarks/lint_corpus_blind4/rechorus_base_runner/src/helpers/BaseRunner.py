import torch
from torch.utils.data import DataLoader


class BaseRunner:
    @staticmethod
    def parse_runner_args(parser):
        parser.add_argument("--epoch", type=int, default=100)
        parser.add_argument("--lr", type=float, default=1e-3)
        parser.add_argument("--l2", type=float, default=0, help="Weight decay in optimizer.")
        parser.add_argument("--batch_size", type=int, default=256)
        parser.add_argument("--optimizer", type=str, default="Adam", help="optimizer: GD, Adam, Adagrad, Adadelta")
        return parser

    def __init__(self, args):
        self.epoch = args.epoch
        self.learning_rate = args.lr
        self.batch_size = args.batch_size
        self.l2 = args.l2
        self.optimizer_name = args.optimizer

    def _build_optimizer(self, model):
        optimizer_name = self.optimizer_name.lower()
        if optimizer_name == "gd":
            optimizer = torch.optim.SGD(model.customize_parameters(), lr=self.learning_rate, weight_decay=self.l2)
        elif optimizer_name == "adagrad":
            optimizer = torch.optim.Adagrad(model.customize_parameters(), lr=self.learning_rate, weight_decay=self.l2)
        elif optimizer_name == "adadelta":
            optimizer = torch.optim.Adadelta(model.customize_parameters(), lr=self.learning_rate, weight_decay=self.l2)
        elif optimizer_name == "adam":
            optimizer = torch.optim.Adam(model.customize_parameters(), lr=self.learning_rate, weight_decay=self.l2)
        else:
            raise ValueError("Unknown Optimizer: " + self.optimizer_name)
        return optimizer

    def train(self, model, data_dict):
        for epoch in range(self.epoch):
            self.fit(model, data_dict["train"], epoch=epoch + 1)

    def fit(self, model, data, epoch=-1):
        if model.optimizer is None:
            model.optimizer = self._build_optimizer(model)
        model.train()
        dl = DataLoader(data, batch_size=self.batch_size, shuffle=True, collate_fn=data.collate_batch)
        for batch in dl:
            model.optimizer.zero_grad()
            out_dict = model(batch)
            loss = model.loss(out_dict)
            loss.backward()
            model.optimizer.step()
