import torch
import torch.nn as nn


class StepRunner:
    def __init__(self, model, optimizer, scheduler, config, grad_accum_steps=1):
        self.model = model
        self.optimizer = optimizer
        self.scheduler = scheduler
        self.config = config
        self.grad_accum_steps = grad_accum_steps
        self.use_amp_scaler = config.mixed_precision
        self.scaler = torch.cuda.amp.GradScaler() if self.use_amp_scaler else None

    @staticmethod
    def master_params(optimizer):
        for group in optimizer.param_groups:
            for p in group["params"]:
                yield p

    @staticmethod
    def _model_train_step(batch, model, criterion):
        if hasattr(model, "module"):
            return model.module.train_step(batch, criterion)
        return model.train_step(batch, criterion)

    def _optimize(self, batch, model, optimizer, scaler, criterion, scheduler, config, step_optimizer=True):
        with torch.cuda.amp.autocast(enabled=config.mixed_precision):
            outputs, loss_dict = self._model_train_step(batch, model, criterion)

        loss_dict["loss"] = loss_dict["loss"] / float(self.grad_accum_steps)
        grad_clip = config.grad_clip if config.grad_clip is not None else 0.0

        grad_norm = 0
        update_lr_scheduler = True
        if self.use_amp_scaler:
            scaler.scale(loss_dict["loss"]).backward()
            if step_optimizer:
                if grad_clip > 0:
                    scaler.unscale_(optimizer)
                    grad_norm = torch.nn.utils.clip_grad_norm_(self.master_params(optimizer), grad_clip)
                scale_prev = scaler.get_scale()
                scaler.step(optimizer)
                scaler.update()
                update_lr_scheduler = scale_prev <= scaler.get_scale()
        else:
            loss_dict["loss"].backward()
            if step_optimizer:
                if grad_clip > 0:
                    grad_norm = torch.nn.utils.clip_grad_norm_(self.master_params(optimizer), grad_clip)
                optimizer.step()

        if scheduler is not None and update_lr_scheduler and not config.scheduler_after_epoch and step_optimizer:
            scheduler.step()

        if step_optimizer:
            optimizer.zero_grad()
        return outputs, loss_dict, grad_norm

    def train_step(self, batch, batch_n_steps, step, criterion=None):
        step_optimizer = True
        if ((step + 1) % self.grad_accum_steps != 0) and (step + 1 != batch_n_steps):
            step_optimizer = False
        outputs, loss_dict, _ = self._optimize(batch, self.model, self.optimizer, self.scaler, criterion,
                                               self.scheduler, self.config, step_optimizer=step_optimizer)
        if step_optimizer:
            self.model.zero_grad()
        return outputs, loss_dict

    def train_epoch(self, loader):
        self.model.train()
        n = len(loader)
        for cur_step, batch in enumerate(loader):
            self.train_step(batch, n, cur_step)
        if self.scheduler is not None and self.config.scheduler_after_epoch:
            self.scheduler.step()


def build(model: nn.Module, config):
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr, **(config.optimizer_params or {}))
    scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.999875)
    return StepRunner(model, optimizer, scheduler, config, grad_accum_steps=config.grad_accum_steps)
