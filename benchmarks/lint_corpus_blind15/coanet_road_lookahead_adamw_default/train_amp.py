import torch
from torch.cuda.amp import GradScaler, autocast

from config import Config
from cyclicLR import LearningRateWarmUP
from lookahead import Lookahead
from modeling.coanet import CoANet
from utils.loss import SegmentationLosses, dice_bce_loss


class Trainer(object):
    def __init__(self, cfg):
        self.cfg = cfg
        self.device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
        self.model = CoANet(
            num_classes=cfg.num_classes,
            backbone=cfg.backbone,
            output_stride=cfg.out_stride,
            sync_bn=cfg.sync_bn,
            freeze_bn=cfg.freeze_bn,
        ).to(self.device)
        self.criterion = dice_bce_loss()
        self.criterion_con = SegmentationLosses(weight=None, cuda=self.device).build_loss(mode="con_ce")

        optimizer = torch.optim.AdamW([
            {"params": self.model.parameters()},
        ])
        self.optimizer = Lookahead(optimizer)
        scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, "min", factor=0.5, patience=20)
        self.scheduler = LearningRateWarmUP(optimizer=optimizer, target_iteration=10, target_lr=0.0005, after_scheduler=scheduler)
        self.scaler = GradScaler()

    def train(self, train_loader, valid_fn):
        for epoch in range(1, self.cfg.num_epochs):
            self.model.train()
            for batch_id, sample in enumerate(train_loader):
                image = sample["image"].to(self.device)
                target = sample["label"].to(self.device)
                connect_label = sample["connect"].to(self.device)
                with autocast():
                    output, out_connect = self.model(image)
                    loss1 = self.criterion(output, torch.unsqueeze(target, 1))
                    loss2 = self.criterion_con(out_connect, connect_label)
                    loss = loss1 + 0.2 * loss2
                self.scaler.scale(loss).backward()
                self.scaler.step(self.optimizer)
                self.scaler.update()

            valid_loss = valid_fn(self.model)
            if epoch > 10:
                self.scheduler.after_scheduler.step(valid_loss)
            else:
                self.scheduler.step(epoch)


if __name__ == "__main__":
    trainer = Trainer(Config())
