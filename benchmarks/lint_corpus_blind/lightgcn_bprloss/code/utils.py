import numpy as np
import torch
from torch import optim

import world
from model import PairWiseModel


class BPRLoss:
    def __init__(self, recmodel: PairWiseModel, config: dict):
        self.model = recmodel
        self.weight_decay = config["decay"]
        self.lr = config["lr"]
        self.opt = optim.Adam(recmodel.parameters(), lr=self.lr)

    def stageOne(self, users, pos, neg):
        # bpr_loss returns the ranking loss and the squared norm of the batch's ego embeddings
        loss, reg_loss = self.model.bpr_loss(users, pos, neg)
        reg_loss = reg_loss * self.weight_decay
        loss = loss + reg_loss

        self.opt.zero_grad()
        loss.backward()
        self.opt.step()

        return loss.cpu().item()


def minibatch(*tensors, **kwargs):
    batch_size = kwargs.get("batch_size", world.config["bpr_batch_size"])
    if len(tensors) == 1:
        for i in range(0, len(tensors[0]), batch_size):
            yield tensors[0][i:i + batch_size]
    else:
        for i in range(0, len(tensors[0]), batch_size):
            yield tuple(x[i:i + batch_size] for x in tensors)


def set_seed(seed):
    np.random.seed(seed)
    torch.manual_seed(seed)
