"""torch AdamW's implicit weight_decay=0.01 over parameters a helper returns, handed to another
helper through a keyword argument."""

import torch.optim as optim


def get_learnable_params(cfg, encoder, llm):
    params = []
    if cfg["encoder"]["trainable"]:
        params += list(encoder.parameters())
    if cfg["llm"]["trainable"]:
        params += list(llm.parameters())
    return params


def get_optimizer(cfg, params):
    return optim.AdamW(params=params, lr=float(cfg["lr"]))


def train(cfg, encoder, llm, loader):
    optimizer = get_optimizer(cfg, params=get_learnable_params(cfg, encoder, llm))
    for batch in loader:
        loss = llm(encoder(batch)).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
