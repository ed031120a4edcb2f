# accelerate with fp16: the prepared optimizer skips its step when the gradients overflow, but the
# scheduler was not passed to accelerator.prepare(), so it advances anyway.
import argparse

import accelerate
import torch


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--mixed-precision", type=str, default="fp16")
    p.add_argument("--grad-accum-steps", type=int, default=1)
    args = p.parse_args()
    accelerator = accelerate.Accelerator(
        gradient_accumulation_steps=args.grad_accum_steps, mixed_precision=args.mixed_precision
    )
    model = torch.nn.Linear(8, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.999)
    loader = torch.utils.data.DataLoader(torch.randn(64, 8), batch_size=8)
    model, opt, loader = accelerator.prepare(model, opt, loader)
    for batch in loader:
        with accelerator.accumulate(model):
            loss = model(batch).pow(2).mean()
            accelerator.backward(loss)
            opt.step()
            sched.step()
            opt.zero_grad()


if __name__ == "__main__":
    main()
