from dataclasses import asdict

import torch.nn as nn
from einops import rearrange

from utils import configure_optimizers, get_scheduler


def train(model, train_dataloader, env, offline_config, device="cpu"):
    loss_fn = nn.CrossEntropyLoss()
    model = model.to(device)
    optimizer = configure_optimizers(model, offline_config)
    scheduler_config = asdict(offline_config)
    del scheduler_config["optimizer"]
    train_batches_per_epoch = len(train_dataloader)
    scheduler_config["training_steps"] = offline_config.train_epochs * train_batches_per_epoch
    scheduler = get_scheduler(offline_config.scheduler, optimizer, **scheduler_config)
    for epoch in range(offline_config.train_epochs):
        for batch, (s, a, r, d, rtg, ti, m) in enumerate(train_dataloader):
            model.train()
            a[a == -10] = env.action_space.n
            optimizer.zero_grad()
            _, action_preds, _ = model(states=s, actions=a[:, :-1].unsqueeze(-1), rtgs=rtg, timesteps=ti.unsqueeze(-1))
            action_preds = rearrange(action_preds, "b t a -> (b t) a")
            a_exp = rearrange(a, "b t -> (b t)").long()
            loss = loss_fn(action_preds[a_exp != env.action_space.n], a_exp[a_exp != env.action_space.n])
            loss.backward()
            optimizer.step()
            scheduler.step()
    return model
