from accelerate import Accelerator
from torch.optim import Adam
from torch.utils.data import DataLoader


def cycle(dl):
    while True:
        for data in dl:
            yield data


class Trainer:
    def __init__(self, diffusion_model, dataset, *, train_batch_size=16, gradient_accumulate_every=1, train_lr=1e-4,
                 train_num_steps=100000, adam_betas=(0.9, 0.99), amp=False, mixed_precision_type="fp16",
                 split_batches=True, max_grad_norm=1.0):
        self.accelerator = Accelerator(split_batches=split_batches, mixed_precision=mixed_precision_type if amp else "no")
        self.model = diffusion_model
        self.gradient_accumulate_every = gradient_accumulate_every
        self.train_num_steps = train_num_steps
        self.max_grad_norm = max_grad_norm
        dl = DataLoader(dataset, batch_size=train_batch_size, shuffle=True)
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
            accelerator.wait_for_everyone()
            accelerator.clip_grad_norm_(self.model.parameters(), self.max_grad_norm)
            self.opt.step()
            self.opt.zero_grad()
            self.step += 1
