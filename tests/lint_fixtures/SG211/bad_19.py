# accelerate in fp16 on a GPU: the GradScaler skips the prepared optimizer on inf/NaN gradients,
# but the scheduler was not prepared, so it advances anyway.
import accelerate
import torch


def main():
    accelerator = accelerate.Accelerator(mixed_precision="fp16")
    model = torch.nn.Linear(8, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.999)
    loader = torch.utils.data.DataLoader(torch.randn(64, 8), batch_size=8)
    model, opt, loader = accelerator.prepare(model, opt, loader)
    for batch in loader:
        loss = model(batch).pow(2).mean()
        accelerator.backward(loss)
        opt.step()
        sched.step()
        opt.zero_grad()


if __name__ == "__main__":
    main()
