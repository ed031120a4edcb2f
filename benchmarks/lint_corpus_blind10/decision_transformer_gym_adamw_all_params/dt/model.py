import torch
import torch.nn as nn
import transformers

from dt.trajectory_gpt2 import GPT2Model


class ReturnConditionedTransformer(nn.Module):
    """GPT-2 over interleaved (return, state, action) tokens."""

    def __init__(self, state_dim, act_dim, hidden_size, max_length=None, max_ep_len=4096, **kwargs):
        super().__init__()
        self.state_dim, self.act_dim, self.max_length = state_dim, act_dim, max_length
        self.hidden_size = hidden_size
        cfg = transformers.GPT2Config(vocab_size=1, n_embd=hidden_size, **kwargs)
        self.transformer = GPT2Model(cfg)

        self.embed_timestep = nn.Embedding(max_ep_len, hidden_size)
        self.embed_return = nn.Linear(1, hidden_size)
        self.embed_state = nn.Linear(state_dim, hidden_size)
        self.embed_action = nn.Linear(act_dim, hidden_size)
        self.embed_ln = nn.LayerNorm(hidden_size)

        self.predict_state = nn.Linear(hidden_size, state_dim)
        self.predict_action = nn.Sequential(nn.Linear(hidden_size, act_dim), nn.Tanh())
        self.predict_return = nn.Linear(hidden_size, 1)

    def forward(self, states, actions, rewards, returns_to_go, timesteps, attention_mask=None):
        b, t = states.shape[0], states.shape[1]
        time_emb = self.embed_timestep(timesteps)
        tokens = torch.stack(
            (self.embed_return(returns_to_go) + time_emb,
             self.embed_state(states) + time_emb,
             self.embed_action(actions) + time_emb), dim=1,
        ).permute(0, 2, 1, 3).reshape(b, 3 * t, self.hidden_size)
        tokens = self.embed_ln(tokens)
        mask = torch.stack((attention_mask,) * 3, dim=1).permute(0, 2, 1).reshape(b, 3 * t)
        x = self.transformer(inputs_embeds=tokens, attention_mask=mask)["last_hidden_state"]
        x = x.reshape(b, t, 3, self.hidden_size).permute(0, 2, 1, 3)
        return self.predict_state(x[:, 2]), self.predict_action(x[:, 1]), self.predict_return(x[:, 2])
