# A runner calls its hooks by name after each iteration; the AMP wrapper records whether the
# scaler really stepped, and the parameter-scheduler hook steps the schedulers only then.
import torch


class AmpOptimWrapper:
    def __init__(self, optimizer):
        self.optimizer = optimizer
        self.loss_scaler = torch.cuda.amp.GradScaler()
        self.stepped = False

    def update_params(self, loss):
        self.loss_scaler.scale(loss).backward()
        scale = self.loss_scaler.get_scale()
        self.loss_scaler.step(self.optimizer)
        self.loss_scaler.update()
        self.stepped = self.loss_scaler.get_scale() >= scale
        self.optimizer.zero_grad()


class ParamSchedulerHook:
    def after_train_iter(self, runner):
        if runner.optim_wrapper.stepped:
            for scheduler in runner.param_schedulers:
                scheduler.step()


class Runner:
    def __init__(self, model, optim_wrapper, param_schedulers, hooks):
        self.model = model
        self.optim_wrapper = optim_wrapper
        self.param_schedulers = param_schedulers
        self.hooks = hooks

    def call_hook(self, name):
        for hook in self.hooks:
            getattr(hook, name)(self)

    def train(self, loader):
        for batch in loader:
            with torch.autocast("cuda"):
                loss = self.model(batch)
            self.optim_wrapper.update_params(loss)
            self.call_hook("after_train_iter")
