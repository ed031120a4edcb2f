import numpy as np
import torch
import torch.optim as optim
from rlkit.torch.torch_rl_algorithm import TorchRLAlgorithm
from torch import nn as nn


class DDPG(TorchRLAlgorithm):
    def __init__(self, env, qf, policy, exploration_policy, policy_learning_rate=1e-4, qf_learning_rate=1e-3, qf_weight_decay=0, tau=1e-2, qf_criterion=None, policy_pre_activation_weight=0.0, optimizer_class=optim.Adam, min_q_value=-np.inf, max_q_value=np.inf, **kwargs):
        super().__init__(env, exploration_policy, eval_policy=policy, **kwargs)
        self.qf = qf
        self.policy = policy
        self.target_policy = policy.copy()
        self.target_qf = qf.copy()
        self.qf_weight_decay = qf_weight_decay
        self.tau = tau
        self.qf_criterion = qf_criterion or nn.MSELoss()
        self.policy_pre_activation_weight = policy_pre_activation_weight
        self.min_q_value = min_q_value
        self.max_q_value = max_q_value
        self.qf_optimizer = optimizer_class(self.qf.parameters(), lr=qf_learning_rate)
        self.policy_optimizer = optimizer_class(self.policy.parameters(), lr=policy_learning_rate)

    def _do_training(self):
        batch = self.get_batch()
        rewards, terminals = batch["rewards"], batch["terminals"]
        obs, actions, next_obs = batch["observations"], batch["actions"], batch["next_observations"]

        if self.policy_pre_activation_weight > 0:
            policy_actions, pre_tanh_value = self.policy(obs, return_preactivations=True)
            pre_activation_policy_loss = (pre_tanh_value**2).sum(dim=1).mean()
            policy_loss = -self.qf(obs, policy_actions).mean() + pre_activation_policy_loss * self.policy_pre_activation_weight
        else:
            policy_actions = self.policy(obs)
            policy_loss = -self.qf(obs, policy_actions).mean()

        next_actions = self.target_policy(next_obs)
        target_q_values = self.target_qf(next_obs, next_actions)
        q_target = (rewards + (1.0 - terminals) * self.discount * target_q_values).detach()
        q_target = torch.clamp(q_target, self.min_q_value, self.max_q_value)
        q_pred = self.qf(obs, actions)
        raw_qf_loss = self.qf_criterion(q_pred, q_target)

        if self.qf_weight_decay > 0:
            reg_loss = self.qf_weight_decay * sum(torch.sum(param**2) for param in self.qf.regularizable_parameters())
            qf_loss = raw_qf_loss + reg_loss
        else:
            qf_loss = raw_qf_loss

        self.policy_optimizer.zero_grad()
        policy_loss.backward()
        self.policy_optimizer.step()

        self.qf_optimizer.zero_grad()
        qf_loss.backward()
        self.qf_optimizer.step()
