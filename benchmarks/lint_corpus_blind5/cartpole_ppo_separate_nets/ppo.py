import torch
import torch.nn as nn
from torch.distributions import Categorical


class PolicyNet(nn.Module):
    def __init__(self, obs_dim, n_actions, hidden=64):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(obs_dim, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, n_actions))

    def forward(self, obs):
        return self.net(obs)


class ValueNet(nn.Module):
    def __init__(self, obs_dim, hidden=64):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(obs_dim, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def forward(self, obs):
        return self.net(obs).squeeze(-1)


def rollout(env, policy, value_net, steps):
    raise NotImplementedError


def ppo_update(policy, value_net, optimizer, obs, actions, log_probs_old, advantages, returns, clip_coef, vf_coef, ent_coef, num_epochs, minibatch_size):
    n = obs.shape[0]
    for _ in range(num_epochs):
        perm = torch.randperm(n)
        for start in range(0, n, minibatch_size):
            mb = perm[start : start + minibatch_size]
            dist = Categorical(logits=policy(obs[mb]))
            log_prob = dist.log_prob(actions[mb])
            ratio = torch.exp(log_prob - log_probs_old[mb])
            adv = advantages[mb]
            pi_loss = -torch.min(ratio * adv, torch.clamp(ratio, 1 - clip_coef, 1 + clip_coef) * adv).mean()
            v_loss = 0.5 * ((value_net(obs[mb]) - returns[mb]) ** 2).mean()
            loss = pi_loss + vf_coef * v_loss - ent_coef * dist.entropy().mean()
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(list(policy.parameters()) + list(value_net.parameters()), 0.5)
            optimizer.step()
