# Two branches of `if accum_steps > 1:`: the accumulating one clips inside its window guard, right
# before the step; the plain branch steps (and clips) on every batch, which is correct there.
import torch


def train_one_epoch(cfg, model, criterion, loader, optimizer):
    optimizer.zero_grad()
    for idx, (x, y) in enumerate(loader):
        if cfg.accum_steps > 1:
            loss = criterion(model(x), y) / cfg.accum_steps
            loss.backward()
            if (idx + 1) % cfg.accum_steps == 0:
                if cfg.clip_grad:
                    torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.clip_grad)
                optimizer.step()
                optimizer.zero_grad()
        else:
            loss = criterion(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            if cfg.clip_grad:
                torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.clip_grad)
            optimizer.step()
