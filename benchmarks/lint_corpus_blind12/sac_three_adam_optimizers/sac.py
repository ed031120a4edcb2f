"""Paraphrase of sac.py (pranz24/pytorch-soft-actor-critic): optimizers and the update step."""
import torch
import torch.nn.functional as F
from torch.optim import Adam

from model import GaussianPolicy, QNetwork


class SAC:
    def __init__(self, num_inputs, action_space, args):
        self.alpha = args.alpha
        self.critic = QNetwork(num_inputs, action_space.shape[0], args.hidden_size)
        self.critic_optim = Adam(self.critic.parameters(), lr=args.lr)
        self.target_entropy = -float(action_space.shape[0])
        self.log_alpha = torch.zeros(1, requires_grad=True)
        self.alpha_optim = Adam([self.log_alpha], lr=args.lr)
        self.policy = GaussianPolicy(num_inputs, action_space.shape[0], args.hidden_size)
        self.policy_optim = Adam(self.policy.parameters(), lr=args.lr)

    def update_parameters(self, batch, next_q_value):
        state_batch, action_batch = batch
        qf1, qf2 = self.critic(state_batch, action_batch)
        qf1_loss = F.mse_loss(qf1, next_q_value)
        qf2_loss = F.mse_loss(qf2, next_q_value)

        self.critic_optim.zero_grad()
        qf1_loss.backward()
        self.critic_optim.step()

        self.critic_optim.zero_grad()
        qf2_loss.backward()
        self.critic_optim.step()

        pi, log_pi, _ = self.policy.sample(state_batch)
        qf1_pi, qf2_pi = self.critic(state_batch, pi)
        policy_loss = ((self.alpha * log_pi) - torch.min(qf1_pi, qf2_pi)).mean()
        self.policy_optim.zero_grad()
        policy_loss.backward()
        self.policy_optim.step()

        alpha_loss = -(self.log_alpha * (log_pi + self.target_entropy).detach()).mean()
        self.alpha_optim.zero_grad()
        alpha_loss.backward()
        self.alpha_optim.step()
        self.alpha = self.log_alpha.exp()
