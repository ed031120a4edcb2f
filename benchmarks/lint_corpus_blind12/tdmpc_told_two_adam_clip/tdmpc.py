"""Paraphrase of src/algorithm/tdmpc.py (nicklashansen/tdmpc): the TOLD model and its two optimizers."""
from copy import deepcopy

import torch
import torch.nn as nn

import algorithm.helper as h


class TOLD(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self._encoder = h.enc(cfg)
        self._dynamics = h.mlp(cfg.latent_dim + cfg.action_dim, cfg.mlp_dim, cfg.latent_dim)
        self._reward = h.mlp(cfg.latent_dim + cfg.action_dim, cfg.mlp_dim, 1)
        self._pi = h.mlp(cfg.latent_dim, cfg.mlp_dim, cfg.action_dim)
        self._Q1, self._Q2 = h.q(cfg), h.q(cfg)

    def track_q_grad(self, enable=True):
        for m in [self._Q1, self._Q2]:
            h.set_requires_grad(m, enable)


class TDMPC:
    def __init__(self, cfg):
        self.cfg = cfg
        self.model = TOLD(cfg).cuda()
        self.model_target = deepcopy(self.model)
        self.optim = torch.optim.Adam(self.model.parameters(), lr=self.cfg.lr)
        self.pi_optim = torch.optim.Adam(self.model._pi.parameters(), lr=self.cfg.lr)

    def update_pi(self, zs):
        self.pi_optim.zero_grad(set_to_none=True)
        self.model.track_q_grad(False)
        pi_loss = 0
        for t, z in enumerate(zs):
            a = self.model.pi(z, self.cfg.min_std)
            pi_loss += -torch.min(*self.model.Q(z, a)).mean() * (self.cfg.rho ** t)
        pi_loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model._pi.parameters(), self.cfg.grad_clip_norm, error_if_nonfinite=False)
        self.pi_optim.step()
        self.model.track_q_grad(True)
        return pi_loss.item()

    def update(self, replay_buffer, step):
        obs, next_obses, action, reward, idxs, weights = replay_buffer.sample()
        self.optim.zero_grad(set_to_none=True)
        total_loss, zs = self.model.rollout_losses(obs, next_obses, action, reward)
        weighted_loss = (total_loss * weights).mean()
        weighted_loss.register_hook(lambda grad: grad * (1 / self.cfg.horizon))
        weighted_loss.backward()
        grad_norm = torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.cfg.grad_clip_norm,
                                                   error_if_nonfinite=False)
        self.optim.step()
        pi_loss = self.update_pi(zs)
        if step % self.cfg.update_freq == 0:
            h.ema(self.model, self.model_target, self.cfg.tau)
        return grad_norm, pi_loss
