"""The same helpers with weight_decay=0.0 passed explicitly: nothing decays."""

import torch.optim as optim


def get_learnable_params(cfg, encoder, llm):
    params = []
    if cfg["encoder"]["trainable"]:
        params += list(encoder.parameters())
    params += list(llm.parameters())
    return params


def get_optimizer(cfg, params):
    return optim.AdamW(params=params, lr=float(cfg["lr"]), weight_decay=0.0)


def train(cfg, encoder, llm, loader):
    optimizer = get_optimizer(cfg, params=get_learnable_params(cfg, encoder, llm))
    for batch in loader:
        loss = llm(encoder(batch)).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
