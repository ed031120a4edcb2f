from accelerate import Accelerator
from accelerate.utils import DistributedDataParallelKwargs
from torch.optim.lr_scheduler import LinearLR, SequentialLR
from torch.utils.data import DataLoader


class E2Trainer:
    def __init__(self, model, optimizer, num_warmup_steps=20000, grad_accumulation_steps=1, max_grad_norm=1.0):
        ddp_kwargs = DistributedDataParallelKwargs(find_unused_parameters=True)
        self.accelerator = Accelerator(kwargs_handlers=[ddp_kwargs], gradient_accumulation_steps=grad_accumulation_steps)
        self.model = model
        self.optimizer = optimizer
        self.num_warmup_steps = num_warmup_steps
        self.model, self.optimizer = self.accelerator.prepare(self.model, self.optimizer)
        self.max_grad_norm = max_grad_norm

    def train(self, train_dataset, epochs, batch_size, collate_fn=None):
        train_dataloader = DataLoader(train_dataset, batch_size=batch_size, collate_fn=collate_fn, shuffle=True)
        total_steps = len(train_dataloader) * epochs
        decay_steps = total_steps - self.num_warmup_steps
        warmup_scheduler = LinearLR(self.optimizer, start_factor=1e-8, end_factor=1.0, total_iters=self.num_warmup_steps)
        decay_scheduler = LinearLR(self.optimizer, start_factor=1.0, end_factor=1e-8, total_iters=decay_steps)
        self.scheduler = SequentialLR(self.optimizer, schedulers=[warmup_scheduler, decay_scheduler], milestones=[self.num_warmup_steps])
        train_dataloader, self.scheduler = self.accelerator.prepare(train_dataloader, self.scheduler)

        for epoch in range(epochs):
            self.model.train()
            for batch in train_dataloader:
                with self.accelerator.accumulate(self.model):
                    loss, cond, pred = self.model(batch["mel"], text=batch["text"], lens=batch["mel_lengths"])
                    self.accelerator.backward(loss)

                    if self.max_grad_norm > 0:
                        self.accelerator.clip_grad_norm_(self.model.parameters(), self.max_grad_norm)

                    self.optimizer.step()
                    self.scheduler.step()
                    self.optimizer.zero_grad()
