# A runner calls its hooks by name after each iteration; the parameter-scheduler hook steps every
# scheduler after the AMP wrapper's update, which a GradScaler may have skipped.
import torch


class AmpOptimWrapper:
    def __init__(self, optimizer):
        self.optimizer = optimizer
        self.loss_scaler = torch.cuda.amp.GradScaler()

    def update_params(self, loss):
        self.loss_scaler.scale(loss).backward()
        self.loss_scaler.step(self.optimizer)
        self.loss_scaler.update()
        self.optimizer.zero_grad()


class ParamSchedulerHook:
    def after_train_iter(self, runner):
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
