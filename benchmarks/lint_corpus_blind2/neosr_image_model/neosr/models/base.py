"""Base model: optimizer factory, schedulers and per-iteration lr update."""

import torch


class base:
    def __init__(self, opt):
        self.opt = opt
        self.optimizers = []
        self.schedulers = []

    def get_optimizer(self, optim_type, params, lr, **kwargs):
        if optim_type in {"Adam", "adam"}:
            optimizer = torch.optim.Adam(params, lr, **kwargs)
        elif optim_type in {"AdamW", "adamw"}:
            optimizer = torch.optim.AdamW(params, lr, **kwargs)
        elif optim_type in {"NAdam", "nadam"}:
            optimizer = torch.optim.NAdam(params, lr, **kwargs)
        else:
            raise SystemExit(f"Optimizer {optim_type} is not supported yet.")
        return optimizer

    def setup_schedulers(self):
        train_opt = self.opt["train"]
        if train_opt.get("scheduler", None) is not None:
            scheduler_type = train_opt["scheduler"].pop("type")
            if scheduler_type in {"MultiStepLR", "multisteplr"}:
                for optimizer in self.optimizers:
                    self.schedulers.append(torch.optim.lr_scheduler.MultiStepLR(optimizer, **train_opt["scheduler"]))
            elif scheduler_type in {"CosineAnnealing", "cosineannealing"}:
                for optimizer in self.optimizers:
                    self.schedulers.append(
                        torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, **train_opt["scheduler"])
                    )

    def _set_lr(self, lr_groups_l):
        for optimizer, lr_groups in zip(self.optimizers, lr_groups_l):
            for param_group, lr in zip(optimizer.param_groups, lr_groups):
                param_group["lr"] = lr

    def update_learning_rate(self, current_iter, warmup_iter=-1):
        """Called by the training loop once per iteration (micro-batch)."""
        if current_iter > 0 and self.n_accumulated == 0:
            for scheduler in self.schedulers:
                scheduler.step()
        if current_iter < warmup_iter:
            init_lr_g_l = [[v["initial_lr"] for v in o.param_groups] for o in self.optimizers]
            self._set_lr([[v / warmup_iter * current_iter for v in g] for g in init_lr_g_l])
