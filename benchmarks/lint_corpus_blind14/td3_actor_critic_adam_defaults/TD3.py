import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class Actor(nn.Module):
    def __init__(self, state_dim, action_dim, max_action):
        super().__init__()
        self.l1 = nn.Linear(state_dim, 400)
        self.l2 = nn.Linear(400, 300)
        self.l3 = nn.Linear(300, action_dim)
        self.max_action = max_action

    def forward(self, x):
        return self.max_action * torch.tanh(self.l3(F.relu(self.l2(F.relu(self.l1(x))))))


class Critic(nn.Module):
    def __init__(self, state_dim, action_dim):
        super().__init__()
        self.q1 = nn.Sequential(nn.Linear(state_dim + action_dim, 400), nn.ReLU(), nn.Linear(400, 300), nn.ReLU(),
                                nn.Linear(300, 1))
        self.q2 = nn.Sequential(nn.Linear(state_dim + action_dim, 400), nn.ReLU(), nn.Linear(400, 300), nn.ReLU(),
                                nn.Linear(300, 1))

    def forward(self, x, u):
        xu = torch.cat([x, u], 1)
        return self.q1(xu), self.q2(xu)


class TD3:
    def __init__(self, state_dim, action_dim, max_action):
        self.actor = Actor(state_dim, action_dim, max_action)
        self.actor_target = Actor(state_dim, action_dim, max_action)
        self.actor_target.load_state_dict(self.actor.state_dict())
        self.actor_optimizer = torch.optim.Adam(self.actor.parameters())
        self.critic = Critic(state_dim, action_dim)
        self.critic_target = Critic(state_dim, action_dim)
        self.critic_target.load_state_dict(self.critic.state_dict())
        self.critic_optimizer = torch.optim.Adam(self.critic.parameters())
        self.max_action = max_action
        self.action_dim = action_dim

    def train(self, replay_buffer, iterations, batch_size=100, discount=0.99, tau=0.005, policy_noise=0.2,
              noise_clip=0.5, policy_freq=2):
        for it in range(iterations):
            state, next_state, action, reward, not_done = replay_buffer.sample(batch_size)
            noise = torch.from_numpy(np.clip(np.random.normal(0, policy_noise, size=(batch_size, self.action_dim)),
                                             -noise_clip, noise_clip)).float()
            with torch.no_grad():
                next_action = (self.actor_target(next_state) + noise).clamp(-self.max_action, self.max_action)
                t1, t2 = self.critic_target(next_state, next_action)
                target_q = reward + not_done * discount * torch.min(t1, t2)
            q1, q2 = self.critic(state, action)
            critic_loss = F.mse_loss(q1, target_q) + F.mse_loss(q2, target_q)
            self.critic_optimizer.zero_grad()
            critic_loss.backward()
            self.critic_optimizer.step()
            if it % policy_freq == 0:
                actor_loss = -self.critic(state, self.actor(state))[0].mean()
                self.actor_optimizer.zero_grad()
                actor_loss.backward()
                self.actor_optimizer.step()
                for p, tp in zip(self.critic.parameters(), self.critic_target.parameters()):
                    tp.data.copy_(tau * p.data + (1 - tau) * tp.data)
                for p, tp in zip(self.actor.parameters(), self.actor_target.parameters()):
                    tp.data.copy_(tau * p.data + (1 - tau) * tp.data)
