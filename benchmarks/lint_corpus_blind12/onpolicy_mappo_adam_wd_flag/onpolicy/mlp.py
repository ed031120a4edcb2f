"""Paraphrase of onpolicy/algorithms/utils/mlp.py: the actor / critic trunk."""
import torch.nn as nn


class MLPLayer(nn.Module):
    def __init__(self, input_dim, hidden_size, layer_N):
        super().__init__()
        self.fc1 = nn.Sequential(nn.Linear(input_dim, hidden_size), nn.ReLU(), nn.LayerNorm(hidden_size))
        self.fc2 = nn.ModuleList(
            nn.Sequential(nn.Linear(hidden_size, hidden_size), nn.ReLU(), nn.LayerNorm(hidden_size))
            for _ in range(layer_N)
        )

    def forward(self, x):
        x = self.fc1(x)
        for layer in self.fc2:
            x = layer(x)
        return x


class MLPBase(nn.Module):
    def __init__(self, args, obs_dim):
        super().__init__()
        self._use_feature_normalization = args.use_feature_normalization
        if self._use_feature_normalization:
            self.feature_norm = nn.LayerNorm(obs_dim)
        self.mlp = MLPLayer(obs_dim, args.hidden_size, args.layer_N)

    def forward(self, x):
        if self._use_feature_normalization:
            x = self.feature_norm(x)
        return self.mlp(x)


class R_Actor(nn.Module):
    def __init__(self, args, obs_dim, n_actions):
        super().__init__()
        self.base = MLPBase(args, obs_dim)
        self.act = nn.Linear(args.hidden_size, n_actions)


class R_Critic(nn.Module):
    def __init__(self, args, cent_obs_dim):
        super().__init__()
        self.base = MLPBase(args, cent_obs_dim)
        self.v_out = nn.Linear(args.hidden_size, 1)
