"""Training box: builds model wrapper, optimizer, scheduler and (optionally) an accelerate setup from a YAML config."""

from torch import nn

from ..optim.registry import get_optimizer, get_scheduler
from .interfaces.post_forward_proc import default_post_forward_process
from .util import wrap_model


class TrainingBox(nn.Module):
    def setup(self, train_config):
        model_config = train_config.get("model", dict())
        # DistributedDataParallel when launched distributed
        self.model = wrap_model(self.org_model, model_config, self.device, self.device_ids, self.distributed)

        optim_config = train_config.get("optimizer", dict())
        if len(optim_config) > 0:
            optim_kwargs = optim_config["kwargs"]
            self.optimizer = get_optimizer(nn.ModuleList([self.model]), optim_config["key"], **optim_kwargs)
            self.optimizer.zero_grad()
            self.max_grad_norm = optim_config.get("max_grad_norm", None)
            self.grad_accum_step = optim_config.get("grad_accum_step", 1)

        scheduler_config = train_config.get("scheduler", None)
        if scheduler_config is not None and len(scheduler_config) > 0:
            self.lr_scheduler = get_scheduler(self.optimizer, scheduler_config["key"], **scheduler_config["kwargs"])
            self.scheduling_step = scheduler_config.get("scheduling_step", 0)

        if self.accelerator is not None:
            self.model, self.optimizer, self.train_data_loader = self.accelerator.prepare(
                self.model, self.optimizer, self.train_data_loader
            )

    def __init__(self, model, train_config, device, device_ids, distributed, accelerator=None):
        super().__init__()
        self.org_model = model
        self.device = device
        self.device_ids = device_ids
        self.distributed = distributed
        self.accelerator = accelerator
        self.lr_scheduler = None
        self.grad_accum_step = None
        self.max_grad_norm = None
        self.scheduling_step = 0
        self.stage_grad_count = 0
        self.setup(train_config)

    post_forward_process = default_post_forward_process

    def train_epoch(self, data_loader):
        for sample_batch, targets, supp_dict in data_loader:
            loss = self.model(sample_batch, targets, supp_dict)
            self.post_forward_process(loss)
