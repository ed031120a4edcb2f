# accelerate: accumulate() is given a wrapper built around the prepared model (a denoiser that
# computes the loss). accumulate() skips the all-reduce through the object's no_sync(), which the
# wrapper does not have, so the DDP model inside all-reduces on every micro-batch.
import argparse

import accelerate
import torch


class Denoiser(torch.nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def loss(self, x, noise):
        return (self.inner(x + noise) - x).pow(2).mean()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--grad-accum-steps", type=int, default=4)
    args = p.parse_args()
    accelerator = accelerate.Accelerator(gradient_accumulation_steps=args.grad_accum_steps)
    inner_model = torch.nn.Linear(8, 8)
    opt = torch.optim.SGD(inner_model.parameters(), lr=0.1)
    loader = torch.utils.data.DataLoader(torch.randn(64, 8), batch_size=8)
    inner_model, opt, loader = accelerator.prepare(inner_model, opt, loader)
    model = Denoiser(inner_model)
    for batch in loader:
        with accelerator.accumulate(model):
            loss = model.loss(batch, torch.randn_like(batch))
            accelerator.backward(loss)
            opt.step()
            opt.zero_grad()


if __name__ == "__main__":
    main()
