import numpy as np
import torch.nn as nn
import torch.optim as optim

from agent import Agent, parse_args



def make_envs(args):
    raise NotImplementedError


def ppo_losses(agent, mb_inds):
    raise NotImplementedError


args = parse_args()
agent = Agent(make_envs(args))
optimizer = optim.Adam(agent.parameters(), lr=args.learning_rate, eps=1e-5)
num_updates = args.total_timesteps // args.batch_size
for update in range(1, num_updates + 1):
    if args.anneal_lr:
        frac = 1.0 - (update - 1.0) / num_updates
        optimizer.param_groups[0]["lr"] = frac * args.learning_rate
    b_inds = np.arange(args.batch_size)
    for epoch in range(args.update_epochs):
        np.random.shuffle(b_inds)
        for start in range(0, args.batch_size, args.minibatch_size):
            mb_inds = b_inds[start: start + args.minibatch_size]
            pg_loss, v_loss, entropy_loss = ppo_losses(agent, mb_inds)
            loss = pg_loss - args.ent_coef * entropy_loss + v_loss * args.vf_coef
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(agent.parameters(), args.max_grad_norm)
            optimizer.step()
