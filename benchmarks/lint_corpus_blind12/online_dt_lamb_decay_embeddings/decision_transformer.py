"""Paraphrase of decision_transformer/models/decision_transformer.py (facebookresearch/online-dt)."""
import numpy as np
import torch
import torch.nn as nn
import transformers

from trajectory_gpt2 import GPT2Model


class DecisionTransformer(nn.Module):
    def __init__(self, state_dim, act_dim, hidden_size, max_ep_len=4096, init_temperature=0.1, **kwargs):
        super().__init__()
        config = transformers.GPT2Config(vocab_size=1, n_embd=hidden_size, **kwargs)
        self.transformer = GPT2Model(config)
        self.embed_timestep = nn.Embedding(max_ep_len, hidden_size)
        self.embed_return = torch.nn.Linear(1, hidden_size)
        self.embed_state = torch.nn.Linear(state_dim, hidden_size)
        self.embed_action = torch.nn.Linear(act_dim, hidden_size)
        self.embed_ln = nn.LayerNorm(hidden_size)
        self.predict_action = nn.Linear(hidden_size, act_dim)
        self.log_temperature = torch.tensor(np.log(init_temperature))
        self.log_temperature.requires_grad = True

    def temperature(self):
        return self.log_temperature.exp()
