"""DeepSpeed builds AdamW from a config dict whose weight_decay is 0: nothing decays."""

import deepspeed
import torch.nn as nn


class LM(nn.Module):
    def __init__(self, vocab, dim):
        super().__init__()
        self.tok_embeddings = nn.Embedding(vocab, dim)
        self.norm = nn.LayerNorm(dim)


ds_config = {"train_batch_size": 64, "optimizer": {"type": "AdamW", "params": {"lr": 3e-4, "weight_decay": 0.0}}}
model = LM(49152, 576)
engine, optimizer, _, _ = deepspeed.initialize(model=model, model_parameters=model.parameters(), config=ds_config)
