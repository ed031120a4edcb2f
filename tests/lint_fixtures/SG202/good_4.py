# Stateless schedulers compute the rate from the arguments of each call (timm's
# `step(epoch)`, `step_update(num_updates=...)`, a project scheduler taking the position), so a
# call on every micro-batch does not run the schedule ahead.
import torch


def train(model, loader, optimizer, lr_scheduler, epochs, accum_steps=4):
    num_updates = 0
    for epoch in range(epochs):
        for i, (x, y) in enumerate(loader):
            loss = torch.nn.functional.cross_entropy(model(x), y) / accum_steps
            loss.backward()
            lr_scheduler.step(cur_epoch=epoch, cur_step=i)
            if (i + 1) % accum_steps == 0:
                optimizer.step()
                optimizer.zero_grad()
                num_updates += 1
                lr_scheduler.step_update(num_updates=num_updates)
