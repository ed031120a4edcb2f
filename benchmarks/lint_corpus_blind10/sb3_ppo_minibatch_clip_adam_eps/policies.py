import torch as th
from torch import nn


class ActorCriticMlp(nn.Module):
    def __init__(self, obs_dim, act_dim, lr_schedule, net_arch=None, activation_fn=nn.Tanh,
                 optimizer_class=th.optim.Adam, optimizer_kwargs=None):
        super().__init__()
        if optimizer_kwargs is None:
            optimizer_kwargs = {}
            if optimizer_class == th.optim.Adam:
                optimizer_kwargs["eps"] = 1e-5
        self.optimizer_class = optimizer_class
        self.optimizer_kwargs = optimizer_kwargs
        net_arch = net_arch or dict(pi=[64, 64], vf=[64, 64])
        self.pi_net = nn.Sequential(nn.Linear(obs_dim, net_arch["pi"][0]), activation_fn(),
                                    nn.Linear(net_arch["pi"][0], net_arch["pi"][1]), activation_fn())
        self.vf_net = nn.Sequential(nn.Linear(obs_dim, net_arch["vf"][0]), activation_fn(),
                                    nn.Linear(net_arch["vf"][0], net_arch["vf"][1]), activation_fn())
        self.action_net = nn.Linear(net_arch["pi"][1], act_dim)
        self.value_net = nn.Linear(net_arch["vf"][1], 1)
        self.log_std = nn.Parameter(th.zeros(act_dim))
        self.optimizer = self.optimizer_class(self.parameters(), lr=lr_schedule(1), **self.optimizer_kwargs)
