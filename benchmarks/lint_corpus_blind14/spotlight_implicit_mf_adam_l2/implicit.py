import numpy as np
import torch
import torch.optim as optim

from losses import bpr_loss, hinge_loss, pointwise_loss
from representations import BilinearNet


class ImplicitFactorizationModel:
    def __init__(self, loss="pointwise", embedding_dim=32, n_iter=10, batch_size=256, l2=0.0,
                 learning_rate=1e-2, random_state=None):
        self._loss = loss
        self._embedding_dim = embedding_dim
        self._n_iter = n_iter
        self._batch_size = batch_size
        self._l2 = l2
        self._learning_rate = learning_rate
        self._optimizer = None
        self._rng = random_state or np.random.RandomState()

    def fit(self, interactions):
        self._net = BilinearNet(interactions.num_users, interactions.num_items, self._embedding_dim)
        if self._optimizer is None:
            self._optimizer = optim.Adam(
                self._net.parameters(),
                weight_decay=self._l2,
                lr=self._learning_rate,
            )
        loss_fn = {"pointwise": pointwise_loss, "bpr": bpr_loss}.get(self._loss, hinge_loss)
        users = torch.from_numpy(interactions.user_ids.astype(np.int64))
        items = torch.from_numpy(interactions.item_ids.astype(np.int64))
        for _ in range(self._n_iter):
            perm = torch.from_numpy(self._rng.permutation(len(users)))
            for start in range(0, len(users), self._batch_size):
                idx = perm[start:start + self._batch_size]
                pos = self._net(users[idx], items[idx])
                neg_items = torch.from_numpy(self._rng.randint(0, interactions.num_items, len(idx)))
                neg = self._net(users[idx], neg_items)
                self._optimizer.zero_grad()
                loss = loss_fn(pos, neg)
                loss.backward()
                self._optimizer.step()
