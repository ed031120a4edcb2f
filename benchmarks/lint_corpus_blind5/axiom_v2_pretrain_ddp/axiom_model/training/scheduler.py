from torch.optim.lr_scheduler import CosineAnnealingWarmRestarts


class SchedulerManager:
    def __init__(self, optimizer, config):
        self.optimizer = optimizer
        kind = config.get("type", "sgdr")
        if kind in ("sgdr", "cosine_warm_restarts"):
            self.scheduler = CosineAnnealingWarmRestarts(optimizer, T_0=config.get("T_0", 10000), T_mult=config.get("T_mult", 2), eta_min=config.get("eta_min", 1e-5))
        else:
            raise ValueError(f"Unknown scheduler type: {kind}")

    def step(self):
        if self.scheduler is not None:
            self.scheduler.step()
