"""Paraphrase of demucs/solver.py: one training epoch of the music source separation solver."""
import torch
import torch.nn.functional as F

from .svd import svd_penalty


class Solver:
    def __init__(self, loaders, model, optimizer, args):
        self.loaders = loaders
        self.model = model
        self.dmodel = model
        self.optimizer = optimizer
        self.args = args

    def _run_one_epoch(self, epoch):
        args = self.args
        for sources in self.loaders["train"]:
            mix = sources.sum(dim=1)
            estimate = self.dmodel(mix)
            dims = tuple(range(2, sources.dim()))
            loss = F.l1_loss(estimate, sources, reduction="none").mean(dims).mean(0)
            weights = torch.tensor(args.weights).to(sources)
            loss = (loss * weights).sum() / weights.sum()
            if args.svd.penalty > 0:
                penalty = svd_penalty(self.model, **dict(args.svd))
                loss += args.svd.penalty * penalty
            loss.backward()
            if args.optim.clip_grad:
                torch.nn.utils.clip_grad_norm_(self.model.parameters(), args.optim.clip_grad)
            self.optimizer.step()
            self.optimizer.zero_grad()
