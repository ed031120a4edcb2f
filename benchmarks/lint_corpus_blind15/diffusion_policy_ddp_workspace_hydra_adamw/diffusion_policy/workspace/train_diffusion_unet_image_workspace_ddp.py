import copy

import hydra
import torch
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader
from torch.utils.data.distributed import DistributedSampler

from diffusion_policy.model.common.lr_scheduler import get_scheduler
from diffusion_policy.workspace.base_workspace import BaseWorkspace


class TrainDiffusionUnetImageWorkspaceDDP(BaseWorkspace):
    def __init__(self, cfg, output_dir=None):
        super().__init__(cfg, output_dir=output_dir)
        self.model = hydra.utils.instantiate(cfg.policy)
        self.ema_model = copy.deepcopy(self.model) if cfg.training.use_ema else None
        self.optimizer = hydra.utils.instantiate(cfg.optimizer, params=self.model.parameters())
        self.global_step = 0
        self.epoch = 0

    def run(self):
        cfg = copy.deepcopy(self.cfg)
        dataset = hydra.utils.instantiate(cfg.task.dataset)
        train_dataloader = DataLoader(dataset, sampler=DistributedSampler(dataset), **cfg.dataloader)

        lr_scheduler = get_scheduler(
            cfg.training.lr_scheduler,
            optimizer=self.optimizer,
            num_warmup_steps=cfg.training.lr_warmup_steps,
            num_training_steps=(len(train_dataloader) * cfg.training.num_epochs) // cfg.training.gradient_accumulate_every,
            last_epoch=self.global_step - 1,
        )

        self.model = DDP(self.model, device_ids=[cfg.rank])
        self.optimizer = hydra.utils.instantiate(cfg.optimizer, params=self.model.parameters())

        for local_epoch_idx in range(cfg.training.num_epochs):
            for batch_idx, batch in enumerate(train_dataloader):
                batch = {k: v.to(cfg.rank, non_blocking=True) for k, v in batch.items()}
                raw_loss = self.model.compute_loss(batch)
                loss = raw_loss / cfg.training.gradient_accumulate_every
                loss.backward()

                if self.global_step % cfg.training.gradient_accumulate_every == 0:
                    self.optimizer.step()
                    self.optimizer.zero_grad()
                    lr_scheduler.step()

                is_last_batch = batch_idx == (len(train_dataloader) - 1)
                if not is_last_batch:
                    self.global_step += 1
            self.global_step += 1
            self.epoch += 1
