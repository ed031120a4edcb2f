import torch
from torch.cuda.amp import GradScaler, autocast
from tqdm import tqdm


class Trainer:
    """Recipe-driven trainer: training_params comes from recipes/training_hyperparams/*.yaml."""

    def __init__(self, net, criterion, optimizer, train_loader, training_params, multi_gpu=None):
        self.net = net
        self.criterion = criterion
        self.optimizer = optimizer
        self.train_loader = train_loader
        self.training_params = training_params
        self.batch_accumulate = training_params.batch_accumulate
        self.scaler = GradScaler(enabled=training_params.mixed_precision)
        self.max_epochs = training_params.max_epochs
        self.multi_gpu = multi_gpu

    def _net_to_device(self, local_rank):
        if self.multi_gpu == "DDP":
            self.net = torch.nn.parallel.DistributedDataParallel(
                self.net, device_ids=[local_rank], output_device=local_rank, find_unused_parameters=True
            )

    def _train_epoch(self, epoch):
        self.net.train()
        for batch_idx, (inputs, targets) in enumerate(tqdm(self.train_loader)):
            with autocast(enabled=self.training_params.mixed_precision):
                outputs = self.net(inputs)
                loss, loss_log_items = self._get_losses(outputs, targets)
            self._backward_step(loss, epoch, batch_idx)

    def _get_losses(self, outputs, targets):
        loss = self.criterion(outputs, targets)
        if isinstance(loss, tuple):
            loss, logging_items = loss
        else:
            logging_items = loss.unsqueeze(0).detach()
        return loss, logging_items

    def _backward_step(self, loss, epoch, batch_idx):
        self.scaler.scale(loss).backward()

        global_step = batch_idx + 1 + len(self.train_loader) * epoch
        if global_step % self.batch_accumulate == 0:
            if self.training_params.clip_grad_norm:
                self.scaler.unscale_(self.optimizer)
                torch.nn.utils.clip_grad_norm_(self.net.parameters(), self.training_params.clip_grad_norm)
            self.scaler.step(self.optimizer)
            self.scaler.update()
            self.optimizer.zero_grad()

    def train(self, local_rank=0):
        self._net_to_device(local_rank)
        for epoch in range(self.max_epochs):
            self._train_epoch(epoch)
