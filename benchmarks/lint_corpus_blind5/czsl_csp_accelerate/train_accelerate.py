import argparse

import torch
from accelerate import Accelerator
from torch.nn.modules.loss import CrossEntropyLoss
from torch.utils.data.dataloader import DataLoader

from datasets.composition_dataset import CompositionDataset
from models.compositional_modules import get_model


def train_model(model, optimizer, train_dataset, config, accelerator):
    loader = DataLoader(train_dataset, batch_size=config.train_batch_size, shuffle=True)
    model, optimizer, loader = accelerator.prepare(model, optimizer, loader)
    model.train()
    loss_fn = CrossEntropyLoss()
    pairs = torch.tensor(train_dataset.pair_ids).to(accelerator.device)
    for epoch in range(config.epochs):
        for bid, batch in enumerate(loader):
            with accelerator.accumulate(model):
                img, target = batch[0], batch[3]
                feat = accelerator.unwrap_model(model).encode_image(img)
                logits = model(feat, pairs)
                loss = loss_fn(logits, target)
                accelerator.backward(loss)
                optimizer.step()
                optimizer.zero_grad()
    return model, optimizer


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset", type=str)
    parser.add_argument("--lr", type=float, default=5e-05)
    parser.add_argument("--weight_decay", type=float, default=1e-05)
    parser.add_argument("--epochs", default=20, type=int)
    parser.add_argument("--train_batch_size", default=64, type=int)
    parser.add_argument("--gradient_accumulation_steps", default=1, type=int)
    config = parser.parse_args()
    accelerator = Accelerator(gradient_accumulation_steps=config.gradient_accumulation_steps)
    dataset = CompositionDataset(config.dataset, phase="train")
    model, optimizer = get_model(dataset, config, accelerator.device)
    train_model(model, optimizer, dataset, config, accelerator)
