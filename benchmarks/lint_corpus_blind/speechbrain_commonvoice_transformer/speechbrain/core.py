import torch
from torch.nn import SyncBatchNorm
from torch.nn.parallel import DistributedDataParallel as DDP


class Brain:
    """The parts of the Brain base class the recipe relies on."""

    def __init__(self, modules=None, opt_class=None, hparams=None, run_opts=None, checkpointer=None):
        self.opt_class = opt_class
        self.hparams = hparams
        self.checkpointer = checkpointer
        run_opts = run_opts or {}
        self.device = run_opts.get("device", "cpu")
        self.distributed_launch = run_opts.get("distributed_launch", False)
        self.max_grad_norm = run_opts.get("max_grad_norm", 5.0)
        self.modules = torch.nn.ModuleDict(modules).to(self.device)
        self.step = 0

    def init_optimizers(self):
        if self.opt_class is not None:
            self.optimizer = self.opt_class(self.modules.parameters())

    def check_gradients(self, loss):
        if not torch.isfinite(loss):
            return False
        torch.nn.utils.clip_grad_norm_((p for p in self.modules.parameters()), self.max_grad_norm)
        return True

    def _wrap_distributed(self):
        if not self.distributed_launch:
            return
        for name, module in self.modules.items():
            if any(p.requires_grad for p in module.parameters()):
                module = SyncBatchNorm.convert_sync_batchnorm(module)
                self.modules[name] = DDP(module, device_ids=[self.device])

    def fit(self, epoch_counter, train_set):
        self._wrap_distributed()
        self.init_optimizers()
        for epoch in epoch_counter:
            self.modules.train()
            for batch in train_set:
                self.step += 1
                self.fit_batch(batch)
            self.step = 0
