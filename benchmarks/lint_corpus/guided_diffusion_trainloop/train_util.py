import functools

import torch.distributed as dist
from torch.nn.parallel.distributed import DistributedDataParallel as DDP
from torch.optim import AdamW

from .fp16_util import MixedPrecisionTrainer


class TrainLoop:
    def __init__(self, *, model, diffusion, data, batch_size, microbatch, lr, use_fp16=False,
                 schedule_sampler=None, weight_decay=0.0, lr_anneal_steps=0):
        self.model = model
        self.diffusion = diffusion
        self.data = data
        self.batch_size = batch_size
        self.microbatch = microbatch if microbatch > 0 else batch_size
        self.lr = lr
        self.schedule_sampler = schedule_sampler
        self.weight_decay = weight_decay
        self.lr_anneal_steps = lr_anneal_steps
        self.step = 0
        self.mp_trainer = MixedPrecisionTrainer(model=self.model, use_fp16=use_fp16)
        self.opt = AdamW(self.mp_trainer.master_params, lr=self.lr, weight_decay=self.weight_decay)
        self.use_ddp = True
        self.ddp_model = DDP(self.model, device_ids=[dist.get_rank()], broadcast_buffers=False)

    def run_loop(self):
        while not self.lr_anneal_steps or self.step < self.lr_anneal_steps:
            batch, cond = next(self.data)
            self.run_step(batch, cond)
            self.step += 1

    def run_step(self, batch, cond):
        self.forward_backward(batch, cond)
        took_step = self.mp_trainer.optimize(self.opt)
        if took_step:
            self._update_ema()
        self._anneal_lr()

    def forward_backward(self, batch, cond):
        self.mp_trainer.zero_grad()
        for i in range(0, batch.shape[0], self.microbatch):
            micro = batch[i: i + self.microbatch]
            micro_cond = {k: v[i: i + self.microbatch] for k, v in cond.items()}
            last_batch = (i + self.microbatch) >= batch.shape[0]
            t, weights = self.schedule_sampler.sample(micro.shape[0])
            compute_losses = functools.partial(self.diffusion.training_losses, self.ddp_model, micro, t,
                                               model_kwargs=micro_cond)
            if last_batch or not self.use_ddp:
                losses = compute_losses()
            else:
                with self.ddp_model.no_sync():
                    losses = compute_losses()
            loss = (losses["loss"] * weights).mean()
            self.mp_trainer.backward(loss)

    def _update_ema(self):
        pass

    def _anneal_lr(self):
        if not self.lr_anneal_steps:
            return
        for param_group in self.opt.param_groups:
            param_group["lr"] = self.lr * (1 - self.step / self.lr_anneal_steps)
