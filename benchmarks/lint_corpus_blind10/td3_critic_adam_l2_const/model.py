import torch
import torch.nn as nn
import torch.nn.functional as F


class Actor(nn.Module):
    def __init__(self, state_dim, action_dim):
        super().__init__()
        self.fc1 = nn.Linear(state_dim, 256)
        self.fc2 = nn.Linear(256, 256)
        self.fc3 = nn.Linear(256, action_dim)

    def forward(self, x):
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


class Critic(nn.Module):
    def __init__(self, state_dim, action_dim):
        super().__init__()
        self.fc1 = nn.Linear(state_dim + action_dim, 256)
        self.fc2 = nn.Linear(256, 256)
        self.fc3 = nn.Linear(256, 1)
        self.fc4 = nn.Linear(state_dim + action_dim, 256)
        self.fc5 = nn.Linear(256, 256)
        self.fc6 = nn.Linear(256, 1)

    def forward(self, x, action):
        xa = torch.cat([x, action], dim=1)
        q1 = self.fc3(F.relu(self.fc2(F.relu(self.fc1(xa)))))
        q2 = self.fc6(F.relu(self.fc5(F.relu(self.fc4(xa)))))
        return q1, q2

    def Q1(self, x, action):
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(torch.cat([x, action], dim=1))))))
