import numpy as np
import torch
import torch.nn.functional as F
import torch.optim as optim
from torch.distributions import Beta
from torch.utils.data.sampler import BatchSampler, SubsetRandomSampler

from neuralnet import Net


class Agent:
    clip_param = 0.1
    ppo_epoch = 10
    buffer_capacity, batch_size = 250, 32

    def __init__(self, img_stack, gamma, device):
        self.net = Net(img_stack).double().to(device)
        self.gamma = gamma
        self.device = device
        self.buffer = []
        self.optimizer = optim.Adam(self.net.parameters(), lr=1e-3)

    def update(self, s, a, r, s_, old_a_logp):
        with torch.no_grad():
            target_v = r + self.gamma * self.net(s_)[1]
            advantage = target_v - self.net(s)[1]
        for _ in range(self.ppo_epoch):
            for index in BatchSampler(SubsetRandomSampler(range(self.buffer_capacity)), self.batch_size, False):
                alpha, beta = self.net(s[index])[0]
                dist = Beta(alpha, beta)
                a_logp = dist.log_prob(a[index]).sum(dim=1, keepdim=True)
                ratio = torch.exp(a_logp - old_a_logp[index])
                surr1 = ratio * advantage[index]
                surr2 = torch.clamp(ratio, 1.0 - self.clip_param, 1.0 + self.clip_param) * advantage[index]
                action_loss = -torch.min(surr1, surr2).mean()
                value_loss = F.smooth_l1_loss(self.net(s[index])[1], target_v[index])
                loss = action_loss + 2.0 * value_loss
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
        return float(np.mean([0.0]))
