"""Paraphrase of agent.py (Kaixhin/Rainbow): the Rainbow DQN agent's learning step."""
import torch
from torch import optim

from model import DQN


class Agent:
    def __init__(self, args, env):
        self.batch_size = args.batch_size
        self.online_net = DQN(args, env.action_space()).to(device=args.device)
        self.online_net.train()
        self.target_net = DQN(args, env.action_space()).to(device=args.device)
        self.target_net.load_state_dict(self.online_net.state_dict())
        for param in self.target_net.parameters():
            param.requires_grad = False
        self.optimiser = optim.Adam(self.online_net.parameters(), lr=args.learning_rate, eps=args.adam_eps)

    def learn(self, mem):
        idxs, states, actions, returns, next_states, nonterminals, weights = mem.sample(self.batch_size)
        log_ps = self.online_net(states, log=True)
        log_ps_a = log_ps[range(self.batch_size), actions]
        with torch.no_grad():
            m = self.target_distribution(next_states, returns, nonterminals)
        loss = -torch.sum(m * log_ps_a, 1)
        self.online_net.zero_grad()
        (weights * loss).mean().backward()
        self.optimiser.step()
        mem.update_priorities(idxs, loss.detach().cpu().numpy())

    def target_distribution(self, next_states, returns, nonterminals):
        raise NotImplementedError
