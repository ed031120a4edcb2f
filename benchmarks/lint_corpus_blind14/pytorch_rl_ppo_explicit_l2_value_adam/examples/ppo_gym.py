import argparse
import math

import numpy as np
import torch

from core.ppo import ppo_step
from models.mlp_critic import Value
from models.mlp_policy import Policy

parser = argparse.ArgumentParser()
parser.add_argument("--l2-reg", type=float, default=1e-3)
parser.add_argument("--learning-rate", type=float, default=3e-4)
parser.add_argument("--clip-epsilon", type=float, default=0.2)
args = parser.parse_args()

policy_net = Policy(11, 3)
value_net = Value(11)
optimizer_policy = torch.optim.Adam(policy_net.parameters(), lr=args.learning_rate)
optimizer_value = torch.optim.Adam(value_net.parameters(), lr=args.learning_rate)
optim_epochs = 5
optim_batch_size = 64


def update_params(states, actions, returns, advantages, fixed_log_probs):
    optim_iter_num = int(math.ceil(states.shape[0] / optim_batch_size))
    for _ in range(optim_epochs):
        perm = torch.from_numpy(np.random.permutation(states.shape[0]))
        for i in range(optim_iter_num):
            ind = perm[i * optim_batch_size:(i + 1) * optim_batch_size]
            ppo_step(policy_net, value_net, optimizer_policy, optimizer_value, 1, states[ind], actions[ind],
                     returns[ind], advantages[ind], fixed_log_probs[ind], args.clip_epsilon, args.l2_reg)
