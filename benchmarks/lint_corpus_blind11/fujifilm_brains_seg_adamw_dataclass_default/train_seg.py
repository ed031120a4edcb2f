import argparse
import dataclasses

import torch
import yaml
from tqdm import tqdm

from libs.Loss import BinaryFocalLoss, DiceLoss
from libs.models import get_model


@dataclasses.dataclass(frozen=True)
class Config:
    batch_size: int = 32
    image_size: int = 256
    epoch: int = 1000
    learning_rate: float = 0.0001
    dice_beta: float = 0.5
    model_name: str = "efficientnet_b4"
    optimizer: str = "Adam"
    encoder_name: str = "efficientnet-b4"


def get_optimizer(net, cfg):
    trainable = filter(lambda p: p.requires_grad, net.parameters())
    if cfg.optimizer == "Adam":
        optimizer = torch.optim.AdamW(trainable, lr=cfg.learning_rate, betas=(0.5, 0.999), weight_decay=1e-5)
    elif cfg.optimizer == "Adadelta":
        optimizer = torch.optim.Adadelta(trainable, weight_decay=1e-5)
    elif cfg.optimizer == "SGD":
        optimizer = torch.optim.SGD(trainable, lr=cfg.learning_rate, momentum=0.9, weight_decay=1e-5)
    return net, optimizer


def train_model(net, loaders, cfg):
    device = "cuda" if torch.cuda.is_available() else "cpu"
    net.to(device)
    if device == "cuda":
        net = torch.nn.DataParallel(net)
    net, optimizer = get_optimizer(net, cfg)
    focal = BinaryFocalLoss(gamma=2).to(device)
    dice = DiceLoss(beta=cfg.dice_beta, with_bce=None).to(device)

    for epoch in range(cfg.epoch + 1):
        for phase in ["train", "val"]:
            net.train() if phase == "train" else net.eval()
            for images, gt_mask in tqdm(loaders[phase]):
                if images.size()[0] == 1:
                    continue
                with torch.set_grad_enabled(phase == "train"):
                    pred = net(images.to(device))
                    loss = focal(pred, gt_mask.to(device).float())
                    loss += dice(pred, gt_mask.to(device).float())
                    if phase == "train":
                        loss.backward()
                        optimizer.step()
    return net


def main(cfg):
    for fold_id in range(5):
        net, _ = get_model(cfg.model_name, cfg.encoder_name, weight_name=None, in_channels=3, classes=2, activation="sigmoid")
        loaders = make_loaders(cfg, fold_id)
        train_model(net, loaders, cfg)


def make_loaders(cfg, fold_id):
    raise NotImplementedError


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("config", type=str)
    args = parser.parse_args()
    with open(args.config) as f:
        main(Config(**yaml.safe_load(f)))
