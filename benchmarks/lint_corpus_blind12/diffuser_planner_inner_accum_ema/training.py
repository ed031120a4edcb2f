"""Paraphrase of diffuser/utils/training.py (jannerm/diffuser): the Trainer of the trajectory diffusion planner."""
import copy

import torch


def cycle(dl):
    while True:
        for data in dl:
            yield data


class EMA:
    def __init__(self, beta):
        self.beta = beta

    def update_model_average(self, ma_model, current_model):
        for current_params, ma_params in zip(current_model.parameters(), ma_model.parameters()):
            ma_params.data = ma_params.data * self.beta + (1 - self.beta) * current_params.data


class Trainer:
    def __init__(self, diffusion_model, dataset, ema_decay=0.995, train_batch_size=32, train_lr=2e-5,
                 gradient_accumulate_every=2, step_start_ema=2000, update_ema_every=10):
        self.model = diffusion_model
        self.ema = EMA(ema_decay)
        self.ema_model = copy.deepcopy(self.model)
        self.update_ema_every = update_ema_every
        self.step_start_ema = step_start_ema
        self.gradient_accumulate_every = gradient_accumulate_every
        self.dataloader = cycle(torch.utils.data.DataLoader(dataset, batch_size=train_batch_size, shuffle=True))
        self.optimizer = torch.optim.Adam(diffusion_model.parameters(), lr=train_lr)
        self.step = 0

    def train(self, n_train_steps):
        for step in range(n_train_steps):
            for i in range(self.gradient_accumulate_every):
                batch = next(self.dataloader)
                loss, infos = self.model.loss(*batch)
                loss = loss / self.gradient_accumulate_every
                loss.backward()

            self.optimizer.step()
            self.optimizer.zero_grad()

            if self.step % self.update_ema_every == 0:
                if self.step < self.step_start_ema:
                    self.ema_model.load_state_dict(self.model.state_dict())
                else:
                    self.ema.update_model_average(self.ema_model, self.model)
            self.step += 1
