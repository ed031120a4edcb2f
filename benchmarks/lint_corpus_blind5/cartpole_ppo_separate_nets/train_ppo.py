import argparse

import gymnasium as gym
import torch
import torch.optim as optim

from ppo import PolicyNet, ValueNet, ppo_update, rollout


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--total-timesteps", type=int, default=300_000)
    p.add_argument("--num-steps", type=int, default=2048)
    p.add_argument("--num-epochs", type=int, default=10)
    p.add_argument("--minibatch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=3e-4)
    args = p.parse_args()
    env = gym.make("CartPole-v1")
    policy = PolicyNet(4, 2, hidden=64)
    value_net = ValueNet(4, hidden=64)
    optimizer = optim.Adam(list(policy.parameters()) + list(value_net.parameters()), lr=args.lr, eps=1e-5)
    step = 0
    while step < args.total_timesteps:
        batch = rollout(env, policy, value_net, args.num_steps)
        step += args.num_steps
        ppo_update(policy, value_net, optimizer, *batch, clip_coef=0.2, vf_coef=0.5, ent_coef=0.01, num_epochs=args.num_epochs, minibatch_size=args.minibatch_size)


if __name__ == "__main__":
    main()
