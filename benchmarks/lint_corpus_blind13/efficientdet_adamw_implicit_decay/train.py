import argparse

import numpy as np
import torch
import yaml
from torch import nn
from torch.utils.data import DataLoader

from backbone import EfficientDetBackbone
from efficientdet.dataset import CocoDataset, collater
from efficientdet.loss import FocalLoss
from utils.utils import replace_w_sync_bn, CustomDataParallel


class Params:
    def __init__(self, project_file):
        self.params = yaml.safe_load(open(project_file).read())

    def __getattr__(self, item):
        return self.params.get(item, None)


def get_args():
    parser = argparse.ArgumentParser("Yet Another EfficientDet Pytorch")
    parser.add_argument("-p", "--project", type=str, default="coco")
    parser.add_argument("-c", "--compound_coef", type=int, default=0)
    parser.add_argument("--batch_size", type=int, default=12)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--optim", type=str, default="adamw")
    parser.add_argument("--num_epochs", type=int, default=500)
    return parser.parse_args()


class ModelWithLoss(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.criterion = FocalLoss()
        self.model = model

    def forward(self, imgs, annotations):
        _, regression, classification, anchors = self.model(imgs)
        return self.criterion(classification, regression, anchors, annotations)


def train(opt):
    params = Params(f"projects/{opt.project}.yml")
    training_set = CocoDataset(root_dir="datasets/" + params.project_name, set=params.train_set)
    training_generator = DataLoader(training_set, batch_size=opt.batch_size, shuffle=True, collate_fn=collater)
    model = EfficientDetBackbone(num_classes=len(params.obj_list), compound_coef=opt.compound_coef)
    if params.num_gpus > 1 and opt.batch_size // params.num_gpus < 4:
        model.apply(replace_w_sync_bn)
    model = ModelWithLoss(model).cuda()
    if params.num_gpus > 1:
        model = CustomDataParallel(model, params.num_gpus)

    if opt.optim == "adamw":
        optimizer = torch.optim.AdamW(model.parameters(), opt.lr)
    else:
        optimizer = torch.optim.SGD(model.parameters(), opt.lr, momentum=0.9, nesterov=True)

    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, patience=3, verbose=True)
    model.train()
    for epoch in range(opt.num_epochs):
        epoch_loss = []
        for iter, data in enumerate(training_generator):
            imgs = data["img"].cuda()
            annot = data["annot"].cuda()
            optimizer.zero_grad()
            cls_loss, reg_loss = model(imgs, annot)
            loss = cls_loss.mean() + reg_loss.mean()
            if loss == 0 or not torch.isfinite(loss):
                continue
            loss.backward()
            optimizer.step()
            epoch_loss.append(float(loss))
        scheduler.step(np.mean(epoch_loss))


if __name__ == "__main__":
    opt = get_args()
    train(opt)
