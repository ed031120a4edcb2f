import argparse

import torch
import torch.nn.functional as F
from torch.distributions import Categorical

from src.env import MultipleEnvironments
from src.model import PPO


def get_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--gamma", type=float, default=0.9)
    parser.add_argument("--tau", type=float, default=1.0)
    parser.add_argument("--beta", type=float, default=0.01)
    parser.add_argument("--epsilon", type=float, default=0.2)
    parser.add_argument("--batch_size", type=int, default=16)
    parser.add_argument("--num_epochs", type=int, default=10)
    parser.add_argument("--num_local_steps", type=int, default=512)
    parser.add_argument("--num_processes", type=int, default=8)
    return parser.parse_args()


def train(opt):
    envs = MultipleEnvironments(1, 1, "simple", opt.num_processes)
    model = PPO(envs.num_states, envs.num_actions)
    optimizer = torch.optim.Adam(model.parameters(), lr=opt.lr)
    states = envs.reset()
    while True:
        rollout = envs.collect(model, states, opt.num_local_steps)
        states, actions, old_logp, returns, adv = rollout
        n = opt.num_local_steps * opt.num_processes
        for _ in range(opt.num_epochs):
            perm = torch.randperm(n)
            for j in range(opt.batch_size):
                idx = perm[j * n // opt.batch_size:(j + 1) * n // opt.batch_size]
                logits, value = model(states[idx])
                dist = Categorical(F.softmax(logits, dim=1))
                ratio = torch.exp(dist.log_prob(actions[idx]) - old_logp[idx])
                clipped = torch.clamp(ratio, 1.0 - opt.epsilon, 1.0 + opt.epsilon)
                actor_loss = -torch.mean(torch.min(ratio * adv[idx], clipped * adv[idx]))
                critic_loss = F.smooth_l1_loss(returns[idx], value.squeeze())
                total_loss = actor_loss + critic_loss - opt.beta * dist.entropy().mean()
                optimizer.zero_grad()
                total_loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
                optimizer.step()


if __name__ == "__main__":
    train(get_args())
