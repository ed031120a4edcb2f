import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim
from const import *
from memory import ReplayMemory
from model import Actor, Critic


class TD3:
    def __init__(self, env):
        state_dim = env.observation_space.shape[0]
        action_dim = env.action_space.shape[0]
        self.actor = Actor(state_dim, action_dim).to("cuda")
        self.critic = Critic(state_dim, action_dim).to("cuda")
        self.target_actor = Actor(state_dim, action_dim).to("cuda")
        self.target_actor.load_state_dict(self.actor.state_dict())
        self.target_critic = Critic(state_dim, action_dim).to("cuda")
        self.target_critic.load_state_dict(self.critic.state_dict())
        self.memory = ReplayMemory(state_dim, action_dim)
        self.criterion = nn.MSELoss()
        self.tau = tau
        self.actor_optimizer = optim.Adam(self.actor.parameters(), lr=actor_lr)
        self.critic_optimizer = optim.Adam(self.critic.parameters(), lr=critic_lr, weight_decay=weight_decay)

    def soft_update(self, target_net, net):
        for target_param, param in zip(target_net.parameters(), net.parameters()):
            target_param.data.copy_(self.tau * param.data + (1 - self.tau) * target_param.data)

    def update(self, time_step, batch_size=64):
        states, actions, states_, rewards, terminals = self.memory.sample(batch_size)
        noise = np.clip(np.random.normal(0, 0.2), -0.5, 0.5)
        with torch.no_grad():
            target_q1, target_q2 = self.target_critic(states_, self.target_actor(states_) + noise)
            y = rewards.unsqueeze(1) + terminals.unsqueeze(1) * gamma * torch.min(target_q1, target_q2)
        q1, q2 = self.critic(states, actions)
        critic_loss = torch.min(self.criterion(q1, y), self.criterion(q2, y))
        self.critic_optimizer.zero_grad()
        critic_loss.backward()
        self.critic_optimizer.step()
        if time_step % 2 == 0:
            actor_loss = -1 * self.critic.Q1(states, self.actor(states)).mean()
            self.actor_optimizer.zero_grad()
            actor_loss.backward()
            self.actor_optimizer.step()
            self.soft_update(self.target_actor, self.actor)
            self.soft_update(self.target_critic, self.critic)
