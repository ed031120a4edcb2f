"""Paraphrase of opennre/framework/sentence_re.py (thunlp/OpenNRE): the SentenceRE trainer."""
import torch
from torch import nn, optim


class SentenceRE(nn.Module):
    def __init__(self, model, train_loader, max_epoch=100, lr=0.1, weight_decay=1e-5, opt="sgd"):
        super().__init__()
        self.max_epoch = max_epoch
        self.train_loader = train_loader
        self.model = model
        self.parallel_model = nn.DataParallel(self.model)
        self.criterion = nn.CrossEntropyLoss()
        params = self.parameters()
        self.lr = lr
        if opt == "sgd":
            self.optimizer = optim.SGD(params, lr, weight_decay=weight_decay)
        elif opt == "adam":
            self.optimizer = optim.Adam(params, lr, weight_decay=weight_decay)
        elif opt == "adamw":
            from transformers import AdamW
            params = list(self.named_parameters())
            no_decay = ["bias", "LayerNorm.bias", "LayerNorm.weight"]
            grouped_params = [
                {"params": [p for n, p in params if not any(nd in n for nd in no_decay)], "weight_decay": 0.01,
                 "lr": lr, "ori_lr": lr},
                {"params": [p for n, p in params if any(nd in n for nd in no_decay)], "weight_decay": 0.0,
                 "lr": lr, "ori_lr": lr},
            ]
            self.optimizer = AdamW(grouped_params, correct_bias=False)
        else:
            raise Exception("Invalid optimizer. Must be 'sgd' or 'adam' or 'adamw'.")

    def train_model(self, warmup=True):
        global_step = 0
        for epoch in range(self.max_epoch):
            self.train()
            for data in self.train_loader:
                label = data[0]
                logits = self.parallel_model(*data[1:])
                loss = self.criterion(logits, label)
                if warmup:
                    warmup_rate = min(1.0, float(global_step) / 300)
                    for param_group in self.optimizer.param_groups:
                        param_group["lr"] = self.lr * warmup_rate
                loss.backward()
                self.optimizer.step()
                self.optimizer.zero_grad()
                global_step += 1


def train_cnn(token2id, train_loader):
    from encoder.base_encoder import CNNEncoder
    sentence_encoder = CNNEncoder(token2id)
    framework = SentenceRE(sentence_encoder, train_loader, max_epoch=100, lr=0.1, opt="sgd")
    framework.train_model()
    return torch.nn.Identity()
