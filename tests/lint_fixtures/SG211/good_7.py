# accelerate: a prepared scheduler skips its step when the prepared optimizer's step was skipped;
# an unprepared one stepped only when the optimizer really stepped; and bf16 never skips a step.
import torch
from accelerate import Accelerator


def prepared(model, loader):
    accelerator = Accelerator(mixed_precision="fp16")
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.999)
    model, opt, loader, sched = accelerator.prepare(model, opt, loader, sched)
    for batch in loader:
        loss = model(batch).pow(2).mean()
        accelerator.backward(loss)
        opt.step()
        sched.step()
        opt.zero_grad()


def checked(model, loader, mixed_precision="fp16"):
    accelerator = Accelerator(mixed_precision=mixed_precision)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.999)
    model, opt, loader = accelerator.prepare(model, opt, loader)
    for batch in loader:
        loss = model(batch).pow(2).mean()
        accelerator.backward(loss)
        opt.step()
        if not accelerator.optimizer_step_was_skipped:
            sched.step()
        opt.zero_grad()


def bf16(model, loader):
    accelerator = Accelerator(mixed_precision="bf16")
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.999)
    model, opt, loader = accelerator.prepare(model, opt, loader)
    for batch in loader:
        loss = model(batch).pow(2).mean()
        accelerator.backward(loss)
        opt.step()
        sched.step()
        opt.zero_grad()
