import torch
import torch.optim as optim

import lrschedule
from hparams import hparams
from wavenet_vocoder import builder


def train_step(model, optimizer, criterion, x, y, c, step):
    clip_thresh = hparams.clip_thresh
    model.train()
    lr_f = getattr(lrschedule, hparams.lr_schedule)
    current_lr = lr_f(hparams.initial_learning_rate, step, **hparams.lr_schedule_kwargs)
    for param_group in optimizer.param_groups:
        param_group["lr"] = current_lr
    optimizer.zero_grad()
    y_hat = model(x, c)
    loss = criterion(y_hat[:, :, :-1], y[:, 1:, :])
    loss.backward()
    if clip_thresh > 0:
        torch.nn.utils.clip_grad_norm_(model.parameters(), clip_thresh)
    optimizer.step()
    return loss.item()


if __name__ == "__main__":
    model = builder.wavenet(weight_normalization=hparams.weight_normalization)
    optimizer = optim.Adam(model.parameters(),
                           lr=hparams.initial_learning_rate, betas=(hparams.adam_beta1, hparams.adam_beta2),
                           eps=hparams.adam_eps, weight_decay=hparams.weight_decay,
                           amsgrad=hparams.amsgrad)
