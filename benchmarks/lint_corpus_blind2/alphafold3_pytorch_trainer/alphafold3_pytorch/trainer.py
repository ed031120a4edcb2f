from lightning import Fabric
from torch.optim import Adam
from torch.optim.lr_scheduler import LambdaLR

from alphafold3_pytorch.data import DataLoader


def exists(val):
    return val is not None


def cycle(dataloader):
    while True:
        for batch in dataloader:
            yield batch


def default_lambda_lr_fn(steps):
    # 1000 step warmup, then decay 0.95 every 5e4 steps
    if steps < 1000:
        return steps / 1000
    steps -= 1000
    return 0.95 ** (steps / 5e4)


class Trainer:
    """Section 5.4"""

    def __init__(self, model, *, dataset, num_train_steps: int, batch_size: int, grad_accum_every: int = 1,
                 optimizer=None, scheduler=None, lr=1.8e-3, default_adam_kwargs: dict = dict(betas=(0.9, 0.95), eps=1e-8),
                 clip_grad_norm=10.0, default_lambda_lr=default_lambda_lr_fn, fabric=None, accelerator="auto",
                 fabric_kwargs: dict = dict(), fp16: bool = False):
        # fp16 precision is a root level kwarg
        if fp16:
            fabric_kwargs.update(precision="16-mixed")
        if not exists(fabric):
            fabric = Fabric(accelerator=accelerator, **fabric_kwargs)
        self.fabric = fabric
        fabric.launch()

        self.model = model
        if not exists(optimizer):
            optimizer = Adam(model.parameters(), lr=lr, **default_adam_kwargs)
        self.optimizer = optimizer

        self.dataloader = DataLoader(dataset, batch_size=batch_size, shuffle=True, drop_last=True)
        self.num_train_steps = num_train_steps
        self.grad_accum_every = grad_accum_every

        self.model, self.optimizer = fabric.setup(self.model, self.optimizer)
        fabric.setup_dataloaders(self.dataloader)

        if not exists(scheduler):
            scheduler = LambdaLR(optimizer, lr_lambda=default_lambda_lr)
        self.scheduler = scheduler
        self.clip_grad_norm = clip_grad_norm
        self.steps = 0

    def __call__(self):
        dl = cycle(self.dataloader)
        while self.steps < self.num_train_steps:
            self.model.train()
            total_loss = 0.0
            for grad_accum_step in range(self.grad_accum_every):
                is_accumulating = grad_accum_step < (self.grad_accum_every - 1)
                inputs = next(dl)

                with self.fabric.no_backward_sync(self.model, enabled=is_accumulating):
                    # model forwards
                    loss, loss_breakdown = self.model(**inputs.dict(), return_loss_breakdown=True)
                    total_loss += loss.item() / self.grad_accum_every
                    # backwards
                    self.fabric.backward(loss / self.grad_accum_every)

            # clip gradients
            self.fabric.clip_gradients(self.model, self.optimizer, max_norm=self.clip_grad_norm)

            # optimizer step
            self.optimizer.step()

            # scheduler
            self.scheduler.step()
            self.optimizer.zero_grad()
            self.steps += 1
