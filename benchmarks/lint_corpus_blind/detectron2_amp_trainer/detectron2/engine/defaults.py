from detectron2.engine import hooks
from detectron2.engine.train_loop import AMPTrainer, SimpleTrainer, TrainerBase
from detectron2.solver.build import build_lr_scheduler, build_optimizer


class DefaultTrainer(TrainerBase):
    def __init__(self, cfg, model, data_loader):
        super().__init__()
        optimizer = build_optimizer(cfg, model)
        # AMPTrainer (GradScaler) only when the config turns AMP on
        self._trainer = (AMPTrainer if cfg.SOLVER.AMP.ENABLED else SimpleTrainer)(model, data_loader, optimizer)
        self.scheduler = build_lr_scheduler(cfg, optimizer)
        self.optimizer = optimizer
        self.register_hooks([hooks.LRScheduler()])

    def run_step(self):
        self._trainer.iter = self.iter
        self._trainer.run_step()
