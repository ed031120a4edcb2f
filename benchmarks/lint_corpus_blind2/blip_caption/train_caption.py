"""BLIP image-captioning fine-tuning on COCO (ViT encoder + BERT-based decoder)."""

import argparse

import ruamel_yaml as yaml
import torch

from data import create_dataset, create_loader
from models.blip import blip_decoder
from utils import cosine_lr_schedule


def train(model, data_loader, optimizer, epoch, device):
    model.train()
    for i, (image, caption, _) in enumerate(data_loader):
        image = image.to(device)
        loss = model(image, caption)

        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def main(args, config):
    device = torch.device(args.device)
    train_dataset = create_dataset("caption_coco", config)
    train_loader = create_loader(train_dataset, batch_size=config["batch_size"])

    model = blip_decoder(pretrained=config["pretrained"], image_size=config["image_size"], vit=config["vit"])
    model = model.to(device)
    if args.distributed:
        model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[args.gpu])

    optimizer = torch.optim.AdamW(params=model.parameters(), lr=config["init_lr"], weight_decay=config["weight_decay"])

    for epoch in range(0, config["max_epoch"]):
        if args.distributed:
            train_loader.sampler.set_epoch(epoch)
        cosine_lr_schedule(optimizer, epoch, config["max_epoch"], config["init_lr"], config["min_lr"])
        train(model, train_loader, optimizer, epoch, device)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", default="./configs/caption_coco.yaml")
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--distributed", default=True, type=bool)
    args = parser.parse_args()
    config = yaml.load(open(args.config), Loader=yaml.Loader)
    main(args, config)
