"""Paraphrase of onpolicy/algorithms/r_mappo/algorithm/rMAPPOPolicy.py (the optimizers)."""
import torch

from onpolicy.mlp import R_Actor, R_Critic


class R_MAPPOPolicy:
    def __init__(self, args, obs_dim, cent_obs_dim, n_actions, device=torch.device("cpu")):
        self.device = device
        self.lr = args.lr
        self.critic_lr = args.critic_lr
        self.opti_eps = args.opti_eps
        self.weight_decay = args.weight_decay

        self.actor = R_Actor(args, obs_dim, n_actions)
        self.critic = R_Critic(args, cent_obs_dim)

        self.actor_optimizer = torch.optim.Adam(self.actor.parameters(), lr=self.lr, eps=self.opti_eps,
                                                weight_decay=self.weight_decay)
        self.critic_optimizer = torch.optim.Adam(self.critic.parameters(), lr=self.critic_lr,
                                                 eps=self.opti_eps, weight_decay=self.weight_decay)
