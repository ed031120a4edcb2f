# The project's scheduler builder is given the number of micro-batches per epoch, and the
# scheduler is stepped on every micro-batch: the schedule is counted in micro-batches throughout.
import torch


def run(cfg, model, loader, build_scheduler):
    optimizer = torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=0.9)
    epoch_steps = len(loader)
    scheduler = build_scheduler(cfg=cfg, optimizer=optimizer, epoch_steps=epoch_steps)
    num_updates = 0
    for epoch in range(cfg.epochs):
        for x, y in loader:
            num_updates += 1
            loss = torch.nn.functional.cross_entropy(model(x), y) / cfg.grad_accumulation
            loss.backward()
            if num_updates % cfg.grad_accumulation == 0:
                optimizer.step()
                optimizer.zero_grad()
            if scheduler is not None:
                scheduler.step()
