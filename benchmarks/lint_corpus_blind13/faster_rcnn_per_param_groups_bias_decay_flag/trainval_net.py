import argparse

import torch
import torch.nn as nn

from model.utils.config import cfg, cfg_from_file
from model.utils.net_utils import adjust_learning_rate, clip_gradient
from model.faster_rcnn.vgg16 import vgg16
from model.faster_rcnn.resnet import resnet


def parse_args():
    parser = argparse.ArgumentParser(description="Train a Fast R-CNN network")
    parser.add_argument("--net", dest="net", default="vgg16", type=str)
    parser.add_argument("--epochs", dest="max_epochs", default=20, type=int)
    parser.add_argument("--o", dest="optimizer", default="sgd", type=str)
    parser.add_argument("--lr", dest="lr", default=0.001, type=float)
    parser.add_argument("--lr_decay_step", dest="lr_decay_step", default=5, type=int)
    parser.add_argument("--lr_decay_gamma", dest="lr_decay_gamma", default=0.1, type=float)
    return parser.parse_args()


if __name__ == "__main__":
    args = parse_args()
    cfg_from_file("cfgs/{}.yml".format(args.net))
    if args.net == "vgg16":
        fasterRCNN = vgg16(("__background__", "car"), pretrained=True)
    else:
        fasterRCNN = resnet(("__background__", "car"), 101, pretrained=True)
    fasterRCNN.create_architecture()
    lr = args.lr

    params = []
    for key, value in dict(fasterRCNN.named_parameters()).items():
        if value.requires_grad:
            if "bias" in key:
                params += [{"params": [value], "lr": lr * (cfg.TRAIN.DOUBLE_BIAS + 1),
                            "weight_decay": cfg.TRAIN.BIAS_DECAY and cfg.TRAIN.WEIGHT_DECAY or 0}]
            else:
                params += [{"params": [value], "lr": lr, "weight_decay": cfg.TRAIN.WEIGHT_DECAY}]

    if args.optimizer == "adam":
        lr = lr * 0.1
        optimizer = torch.optim.Adam(params)
    elif args.optimizer == "sgd":
        optimizer = torch.optim.SGD(params, momentum=cfg.TRAIN.MOMENTUM)

    fasterRCNN.cuda()
    iters_per_epoch = 1000
    for epoch in range(1, args.max_epochs + 1):
        fasterRCNN.train()
        if epoch % (args.lr_decay_step + 1) == 0:
            adjust_learning_rate(optimizer, args.lr_decay_gamma)
            lr *= args.lr_decay_gamma
        for step in range(iters_per_epoch):
            im_data, im_info, gt_boxes, num_boxes = cfg.next_batch()
            fasterRCNN.zero_grad()
            rois, cls_prob, bbox_pred, rpn_loss_cls, rpn_loss_box, RCNN_loss_cls, RCNN_loss_bbox, rois_label = \
                fasterRCNN(im_data, im_info, gt_boxes, num_boxes)
            loss = rpn_loss_cls.mean() + rpn_loss_box.mean() + RCNN_loss_cls.mean() + RCNN_loss_bbox.mean()
            optimizer.zero_grad()
            loss.backward()
            if args.net == "vgg16":
                clip_gradient(fasterRCNN, 10.)
            optimizer.step()
