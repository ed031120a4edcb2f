import torch
from accelerate import Accelerator
from torch.optim import Adam
from torch.utils.data import DataLoader


def cycle(dl):
    while True:
        yield from dl


class Trainer:
    def __init__(self, diffusion_model, dataset, *, train_batch_size=16, gradient_accumulate_every=1,
                 train_lr=1e-4, train_num_steps=100000, adam_betas=(0.9, 0.99), fp16=False, split_batches=True):
        self.accelerator = Accelerator(split_batches=split_batches, mixed_precision="fp16" if fp16 else "no")
        self.model = diffusion_model
        self.gradient_accumulate_every = gradient_accumulate_every
        self.train_num_steps = train_num_steps
        dl = DataLoader(dataset, batch_size=train_batch_size, shuffle=True, pin_memory=True)
        self.dl = cycle(self.accelerator.prepare(dl))
        self.opt = Adam(diffusion_model.parameters(), lr=train_lr, betas=adam_betas)
        self.step = 0
        self.model, self.opt = self.accelerator.prepare(self.model, self.opt)

    def train(self):
        accelerator = self.accelerator
        device = accelerator.device
        while self.step < self.train_num_steps:
            total_loss = 0.0
            for _ in range(self.gradient_accumulate_every):
                data = next(self.dl).to(device)
                with self.accelerator.autocast():
                    loss = self.model(data)
                    loss = loss / self.gradient_accumulate_every
                    total_loss += loss.item()
                self.accelerator.backward(loss)
            accelerator.clip_grad_norm_(self.model.parameters(), 1.0)
            accelerator.wait_for_everyone()
            self.opt.step()
            self.opt.zero_grad()
            self.step += 1
