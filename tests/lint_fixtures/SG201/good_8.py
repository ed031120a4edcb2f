# The same helper loop, with each micro-batch's loss scaled by its share of the batch; and a
# per-sample weight that is itself 1 / the number of micro-batches.
import torch


class TrainLoop:
    def __init__(self, model, diffusion, sampler, opt, microbatch):
        self.model = model
        self.diffusion = diffusion
        self.sampler = sampler
        self.opt = opt
        self.microbatch = microbatch

    def run_step(self, batch):
        self.forward_backward(batch)
        self.opt.step()

    def forward_backward(self, batch):
        self.opt.zero_grad()
        for i in range(0, batch.shape[0], self.microbatch):
            micro = batch[i : i + self.microbatch]
            t, weights = self.sampler.sample(micro.shape[0])
            losses = self.diffusion.training_losses(self.model, micro, t)
            loss = (losses["loss"] * weights).mean() * (micro.shape[0] / batch.shape[0])
            loss.backward()


def accumulate(model, loader, opt, n_micro):
    for x, y in loader:
        for _ in range(n_micro):
            per_sample = model(x, y)["loss"]
            share = torch.full_like(per_sample, 1.0 / n_micro)
            loss = (per_sample * share).sum()
            loss.backward()
        opt.step()
        opt.zero_grad()
