import os

import torch
import yaml
from accelerate import Accelerator, DistributedDataParallelKwargs
from galore_torch import GaLoreAdamW
from torch.utils.data import DataLoader
from transformers import get_cosine_schedule_with_warmup

import dataloader
from models import SigLIPModel, SigmoidLoss


def galore_optimizer(model, args):
    groups = []
    rank = args["GaLore parameters"]["rank"]
    for p in model.parameters():
        if p.dim() == 2 and p.shape[0] >= p.shape[1] > rank:
            groups.append({"params": p, **args["GaLore parameters"]})
        else:
            groups.append({"params": p})
    return GaLoreAdamW(groups, no_deprecation_warning=True, **args["Optimizer parameters"])


def run_epoch(accelerator, model, criterion, loader, optimizer, scheduler):
    model.train()
    for images, all_texts in loader:
        n = len(images) * len(all_texts)
        optimizer.zero_grad()
        img, txt = model(images, all_texts[0])
        loss = criterion(img, txt, positive=True) / n
        accelerator.backward(loss)
        for texts in all_texts[1:]:
            img, txt = model(images, texts)
            loss = criterion(img, txt, positive=False) / n
            accelerator.backward(loss)
        optimizer.step()
        scheduler.step()


def main(args):
    accelerator = Accelerator(kwargs_handlers=[DistributedDataParallelKwargs(find_unused_parameters=True)])
    rank = int(os.environ["LOCAL_RANK"])
    data = getattr(dataloader, args["Dataset name"])(rank=rank, train=True, **args["Dataset parameters"])
    loader = DataLoader(data, **args["Train dataloader parameters"])
    criterion = SigmoidLoss(**args["Loss parameters"])
    model = SigLIPModel(**args["Model parameters"])
    model, loader = accelerator.prepare(model, loader)
    optimizer = galore_optimizer(model, args)
    scheduler = get_cosine_schedule_with_warmup(optimizer, **args["Scheduler parameters"])
    optimizer, scheduler = accelerator.prepare(optimizer, scheduler)
    for epoch in range(args["Train parameters"]["epochs"]):
        run_epoch(accelerator, model, criterion, loader, optimizer, scheduler)


if __name__ == "__main__":
    torch.manual_seed(42)
    with open("train_config.yml") as f:
        main(yaml.load(f, yaml.Loader))
