import torch
from torch.nn.parallel import DistributedDataParallel as DDP

from yolox.data import DataPrefetcher
from yolox.utils import ModelEMA, get_world_size


class Trainer:
    def __init__(self, exp, args):
        self.exp = exp
        self.args = args
        self.max_epoch = exp.max_epoch
        self.amp_training = args.fp16
        self.scaler = torch.cuda.amp.GradScaler(enabled=args.fp16)
        self.is_distributed = get_world_size() > 1
        self.use_model_ema = exp.ema

    def train(self):
        self.before_train()
        for self.epoch in range(self.start_epoch, self.max_epoch):
            for self.iter in range(self.max_iter):
                self.train_one_iter()

    def train_one_iter(self):
        inps, targets = self.prefetcher.next()
        with torch.cuda.amp.autocast(enabled=self.amp_training):
            outputs = self.model(inps, targets)
        loss = outputs["total_loss"]

        self.optimizer.zero_grad()
        self.scaler.scale(loss).backward()
        self.scaler.step(self.optimizer)
        self.scaler.update()

        if self.use_model_ema:
            self.ema_model.update(self.model)

        # the schedule is a function of the iteration count
        lr = self.lr_scheduler.update_lr(self.progress_in_iter + 1)
        for param_group in self.optimizer.param_groups:
            param_group["lr"] = lr

    def before_train(self):
        model = self.exp.get_model()
        self.optimizer = self.exp.get_optimizer(self.args.batch_size)
        self.start_epoch = 0
        self.train_loader = self.exp.get_data_loader(batch_size=self.args.batch_size,
                                                     is_distributed=self.is_distributed)
        self.prefetcher = DataPrefetcher(self.train_loader)
        self.max_iter = len(self.train_loader)
        self.lr_scheduler = self.exp.get_lr_scheduler(self.exp.basic_lr_per_img * self.args.batch_size,
                                                      self.max_iter)
        if self.is_distributed:
            model = DDP(model, device_ids=[self.args.local_rank], broadcast_buffers=False)
        if self.use_model_ema:
            self.ema_model = ModelEMA(model, 0.9998)
        self.model = model

    @property
    def progress_in_iter(self):
        return self.epoch * self.max_iter + self.iter
