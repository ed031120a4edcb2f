"""Paraphrase of trainer.py (muzero-general): the ray trainer actor."""
import torch

import models


class Trainer:
    def __init__(self, initial_weights, config):
        self.config = config
        self.training_step = 0

        self.model = models.MuZeroNetwork(self.config)
        self.model.load_state_dict(initial_weights)
        self.model.to(torch.device(config.training_device))
        self.model.train()

        self.optimizer = torch.optim.Adam(
            self.model.parameters(),
            lr=self.config.lr_init,
            weight_decay=self.config.weight_decay,
        )

    def continuous_update_weights(self, replay_buffer):
        while True:
            batch = replay_buffer.get_batch()
            self.update_lr()
            self.update_weights(batch)

    def update_weights(self, batch):
        value_loss, reward_loss, policy_loss = self.unroll_losses(batch)
        value_loss *= self.config.value_loss_weight
        loss = value_loss + reward_loss + policy_loss

        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        self.training_step += 1
        return loss.item()

    def update_lr(self):
        lr = self.config.lr_init * self.config.lr_decay_rate ** (self.training_step / self.config.lr_decay_steps)
        for param_group in self.optimizer.param_groups:
            param_group["lr"] = lr

    def unroll_losses(self, batch):
        raise NotImplementedError
