# The accumulating path and the plain path are two branches of `if accum_steps > 1:`; the
# accumulating one clips after every backward, before its window guard (the plain branch's
# per-batch step and clip are correct and belong to no window).
import torch


def train_one_epoch(cfg, model, criterion, loader, optimizer, scaler, use_amp):
    optimizer.zero_grad()
    for idx, (x, y) in enumerate(loader):
        if cfg.accum_steps > 1:
            loss = criterion(model(x), y) / cfg.accum_steps
            if use_amp:
                scaler.scale(loss).backward()
                if cfg.clip_grad:
                    scaler.unscale_(optimizer)
                    torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.clip_grad)
            else:
                loss.backward()
                if cfg.clip_grad:
                    torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.clip_grad)
            if (idx + 1) % cfg.accum_steps == 0:
                if use_amp:
                    scaler.step(optimizer)
                    scaler.update()
                else:
                    optimizer.step()
                optimizer.zero_grad()
        else:
            loss = criterion(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            if cfg.clip_grad:
                torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.clip_grad)
            optimizer.step()
