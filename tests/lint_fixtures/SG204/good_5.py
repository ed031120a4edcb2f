# apex amp: clip after the scale_loss block, on the master parameters.
import torch
from apex import amp


def train_step(model, batch, optimizer, max_grad_norm=1.0):
    loss = model(batch).mean()
    with amp.scale_loss(loss, optimizer) as scaled_loss:
        scaled_loss.backward()
    torch.nn.utils.clip_grad_norm_(amp.master_params(optimizer), max_grad_norm)
    optimizer.step()
    optimizer.zero_grad()
