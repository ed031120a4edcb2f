import argparse

import torch

from dataloaders import make_data_loader
from modeling.deeplab import DeepLab
from utils.loss import SegmentationLosses
from utils.lr_scheduler import LR_Scheduler


class Trainer(object):
    def __init__(self, args):
        self.args = args
        self.train_loader, self.val_loader, self.test_loader, self.nclass = make_data_loader(args)
        model = DeepLab(num_classes=self.nclass, backbone=args.backbone, output_stride=args.out_stride,
                        sync_bn=args.sync_bn, freeze_bn=args.freeze_bn)

        train_params = [{"params": model.get_1x_lr_params(), "lr": args.lr},
                        {"params": model.get_10x_lr_params(), "lr": args.lr * 10}]

        optimizer = torch.optim.SGD(train_params, momentum=args.momentum,
                                    weight_decay=args.weight_decay, nesterov=args.nesterov)
        self.criterion = SegmentationLosses(cuda=args.cuda).build_loss(mode=args.loss_type)
        self.model, self.optimizer = model, optimizer
        self.scheduler = LR_Scheduler(args.lr_scheduler, args.lr, args.epochs, len(self.train_loader))
        if args.cuda:
            self.model = torch.nn.DataParallel(self.model, device_ids=self.args.gpu_ids).cuda()
        self.best_pred = 0.0

    def training(self, epoch):
        self.model.train()
        for i, sample in enumerate(self.train_loader):
            image, target = sample["image"], sample["label"]
            if self.args.cuda:
                image, target = image.cuda(), target.cuda()
            self.scheduler(self.optimizer, i, epoch, self.best_pred)
            self.optimizer.zero_grad()
            output = self.model(image)
            loss = self.criterion(output, target)
            loss.backward()
            self.optimizer.step()


def main():
    parser = argparse.ArgumentParser(description="PyTorch DeeplabV3Plus Training")
    parser.add_argument("--backbone", type=str, default="resnet", choices=["resnet", "xception", "drn", "mobilenet"])
    parser.add_argument("--out-stride", type=int, default=16)
    parser.add_argument("--sync-bn", type=bool, default=None)
    parser.add_argument("--freeze-bn", type=bool, default=False)
    parser.add_argument("--loss-type", type=str, default="ce", choices=["ce", "focal"])
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--lr", type=float, default=0.007)
    parser.add_argument("--lr-scheduler", type=str, default="poly", choices=["poly", "step", "cos"])
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--weight-decay", type=float, default=5e-4)
    parser.add_argument("--nesterov", action="store_true", default=False)
    parser.add_argument("--no-cuda", action="store_true", default=False)
    args = parser.parse_args()
    args.cuda = not args.no_cuda and torch.cuda.is_available()
    args.gpu_ids = [0]
    trainer = Trainer(args)
    for epoch in range(args.epochs):
        trainer.training(epoch)


if __name__ == "__main__":
    main()
