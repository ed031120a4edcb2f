# The loss (a batch mean) is never divided by the window length; the only gradient rescale runs on
# every micro-batch, for a short last batch, so it is not the window's division.
import torch
import torch.nn.functional as F


def train(args, unet, loader, optimizer, scaler):
    global_step = 0
    for epoch in range(args.epochs):
        for step, batch in enumerate(loader):
            loss = F.mse_loss(unet(batch["x"]), batch["y"], reduction="mean")
            scaler.scale(loss).backward()
            if batch["runt_size"] > 0:
                shrink = batch["runt_size"] / args.batch_size
                with torch.no_grad():
                    for p in unet.parameters():
                        if p.grad is not None:
                            p.grad *= shrink
            if (global_step + 1) % args.grad_accum == 0:
                scaler.step(optimizer)
                scaler.update()
                optimizer.zero_grad(set_to_none=True)
            global_step += 1
