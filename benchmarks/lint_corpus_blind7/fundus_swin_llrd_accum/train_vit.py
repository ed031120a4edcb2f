import numpy as np
import torch
import torch.nn as nn

import config


def train_one_epoch(model, loader, optimizer, criterion, device, epoch):
    model.train()
    optimizer.zero_grad(set_to_none=True)
    for step, (images, labels) in enumerate(loader):
        images = images.to(device, non_blocking=True)
        labels = labels.to(device, non_blocking=True).float()
        if config.USE_MIXUP and np.random.rand() < config.MIXUP_PROB:
            lam = np.random.beta(config.MIXUP_ALPHA, config.MIXUP_ALPHA)
            index = torch.randperm(images.size(0), device=images.device)
            images = lam * images + (1 - lam) * images[index]
            labels = lam * labels + (1 - lam) * labels[index]
        logits = model(images)
        loss = criterion(logits, labels)
        loss = loss / config.ACCUM_STEPS
        loss.backward()
        if (step + 1) % config.ACCUM_STEPS == 0:
            nn.utils.clip_grad_norm_(model.parameters(), config.CLIP_GRAD_NORM)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
