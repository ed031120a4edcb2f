# accelerate: accumulate() is given the prepared model itself (the wrapper only computes the
# loss), or a compiled prepared model (torch.compile forwards no_sync() to the module).
import accelerate
import torch


class Denoiser(torch.nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def loss(self, x, noise):
        return (self.inner(x + noise) - x).pow(2).mean()


def main(loader, accum=4):
    accelerator = accelerate.Accelerator(gradient_accumulation_steps=accum)
    inner_model = torch.nn.Linear(8, 8)
    opt = torch.optim.SGD(inner_model.parameters(), lr=0.1)
    inner_model, opt, loader = accelerator.prepare(inner_model, opt, loader)
    model = Denoiser(inner_model)
    for batch in loader:
        with accelerator.accumulate(inner_model):
            loss = model.loss(batch, torch.randn_like(batch))
            accelerator.backward(loss)
            opt.step()
            opt.zero_grad()


def compiled(loader, accum=4):
    accelerator = accelerate.Accelerator(gradient_accumulation_steps=accum)
    net = torch.nn.Linear(8, 8)
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    net, opt, loader = accelerator.prepare(net, opt, loader)
    fast = torch.compile(net)
    for batch in loader:
        with accelerator.accumulate(fast):
            loss = fast(batch).pow(2).mean()
            accelerator.backward(loss)
            opt.step()
            opt.zero_grad()
