from logging import getLogger

import torch.optim as optim
from torch.nn.utils.clip_grad import clip_grad_norm_


class Trainer:
    def __init__(self, config, model):
        self.model = model
        self.logger = getLogger()
        self.learner = config["learner"]
        self.learning_rate = config["learning_rate"]
        self.clip_grad_norm = config["clip_grad_norm"]
        self.optimizer = self._build_optimizer()

    def _build_optimizer(self):
        if self.learner.lower() == "adam":
            optimizer = optim.Adam(self.model.parameters(), lr=self.learning_rate)  # learner: adam
        elif self.learner.lower() == "sgd":
            optimizer = optim.SGD(self.model.parameters(), lr=self.learning_rate)
        elif self.learner.lower() == "adagrad":
            optimizer = optim.Adagrad(self.model.parameters(), lr=self.learning_rate)
        elif self.learner.lower() == "rmsprop":
            optimizer = optim.RMSprop(self.model.parameters(), lr=self.learning_rate)
        else:
            self.logger.warning("Received unrecognized optimizer, set default Adam optimizer")
            optimizer = optim.Adam(self.model.parameters(), lr=self.learning_rate)  # fallback
        return optimizer

    def _train_epoch(self, train_data, epoch_idx, loss_func=None):
        self.model.train()
        loss_func = loss_func or self.model.calculate_loss
        for batch_idx, interaction in enumerate(train_data):
            self.optimizer.zero_grad()
            losses = loss_func(interaction)
            loss = sum(losses) if isinstance(losses, tuple) else losses
            loss.backward()
            if self.clip_grad_norm:
                clip_grad_norm_(self.model.parameters(), **self.clip_grad_norm)
            self.optimizer.step()
