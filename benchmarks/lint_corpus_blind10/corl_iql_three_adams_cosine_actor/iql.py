import copy
from dataclasses import dataclass

import pyrallis
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.optim.lr_scheduler import CosineAnnealingLR

ADV_CLIP = 100.0


@dataclass
class IQLConfig:
    device: str = "cuda"
    env: str = "halfcheetah-medium-expert-v2"
    max_timesteps: int = int(1e6)
    batch_size: int = 256
    discount: float = 0.99
    tau: float = 0.005
    beta: float = 3.0
    expectile: float = 0.7
    vf_lr: float = 3e-4
    qf_lr: float = 3e-4
    actor_lr: float = 3e-4


def polyak(target, source, tau):
    for t, s in zip(target.parameters(), source.parameters()):
        t.data.copy_((1 - tau) * t.data + tau * s.data)


def expectile_loss(u, tau):
    return torch.mean(torch.abs(tau - (u < 0).float()) * u ** 2)


def mlp(dims):
    layers = []
    for a, b in zip(dims[:-2], dims[1:-1]):
        layers += [nn.Linear(a, b), nn.ReLU()]
    layers.append(nn.Linear(dims[-2], dims[-1]))
    return nn.Sequential(*layers)


class GaussianActor(nn.Module):
    def __init__(self, state_dim, act_dim, hidden=256):
        super().__init__()
        self.net = nn.Sequential(mlp([state_dim, hidden, hidden, act_dim]), nn.Tanh())
        self.log_std = nn.Parameter(torch.zeros(act_dim))

    def forward(self, obs):
        return torch.distributions.Normal(self.net(obs), torch.exp(self.log_std.clamp(-20.0, 2.0)))


class DoubleQ(nn.Module):
    def __init__(self, state_dim, act_dim, hidden=256):
        super().__init__()
        self.q1 = mlp([state_dim + act_dim, hidden, hidden, 1])
        self.q2 = mlp([state_dim + act_dim, hidden, hidden, 1])

    def both(self, s, a):
        sa = torch.cat([s, a], 1)
        return self.q1(sa).squeeze(-1), self.q2(sa).squeeze(-1)

    def forward(self, s, a):
        return torch.min(*self.both(s, a))


class IQLAgent:
    def __init__(self, actor, actor_opt, qf, q_opt, vf, v_opt, cfg):
        self.actor, self.qf, self.vf = actor, qf, vf
        self.q_target = copy.deepcopy(qf).requires_grad_(False)
        self.actor_opt, self.q_opt, self.v_opt = actor_opt, q_opt, v_opt
        self.actor_sched = CosineAnnealingLR(self.actor_opt, cfg.max_timesteps)
        self.cfg = cfg

    def update(self, obs, act, rew, next_obs, done):
        with torch.no_grad():
            next_v = self.vf(next_obs).squeeze(-1)
            target_q = self.q_target(obs, act)

        adv = target_q - self.vf(obs).squeeze(-1)
        v_loss = expectile_loss(adv, self.cfg.expectile)
        self.v_opt.zero_grad()
        v_loss.backward()
        self.v_opt.step()

        targets = rew + (1.0 - done) * self.cfg.discount * next_v
        q_loss = sum(F.mse_loss(q, targets) for q in self.qf.both(obs, act)) / 2
        self.q_opt.zero_grad()
        q_loss.backward()
        self.q_opt.step()
        polyak(self.q_target, self.qf, self.cfg.tau)

        weights = torch.exp(self.cfg.beta * adv.detach()).clamp(max=ADV_CLIP)
        bc = -self.actor(obs).log_prob(act).sum(-1)
        pi_loss = torch.mean(weights * bc)
        self.actor_opt.zero_grad()
        pi_loss.backward()
        self.actor_opt.step()
        self.actor_sched.step()


@pyrallis.wrap()
def train(cfg: IQLConfig):
    state_dim, act_dim = 17, 6
    qf = DoubleQ(state_dim, act_dim).to(cfg.device)
    vf = mlp([state_dim, 256, 256, 1]).to(cfg.device)
    actor = GaussianActor(state_dim, act_dim).to(cfg.device)
    v_opt = torch.optim.Adam(vf.parameters(), lr=cfg.vf_lr)
    q_opt = torch.optim.Adam(qf.parameters(), lr=cfg.qf_lr)
    actor_opt = torch.optim.Adam(actor.parameters(), lr=cfg.actor_lr)
    agent = IQLAgent(actor, actor_opt, qf, q_opt, vf, v_opt, cfg)
    buffer = None
    for _ in range(int(cfg.max_timesteps)):
        agent.update(*buffer.sample(cfg.batch_size))


if __name__ == "__main__":
    train()
