import argparse

import torch.nn.functional as F
import torch.optim as optim
from accelerate import Accelerator
from torch.utils.data import DataLoader

from train import get_model


def train(args, train_dataset, vocab_size):
    batch_size = 16
    lr = 1e-4
    training_steps = 10000
    train_dataloader = DataLoader(dataset=train_dataset, batch_size=batch_size, num_workers=16, pin_memory=True)
    model = get_model(model_name=args.model_name, vocab_size=vocab_size)
    model.to("cuda")
    optimizer = optim.AdamW(params=model.parameters(), lr=lr)
    accelerator = Accelerator()
    model, optimizer, train_dataloader = accelerator.prepare(model, optimizer, train_dataloader)
    for step, data in enumerate(train_dataloader):
        model.train()
        logits = model(ids=data["input_id"])
        loss = F.cross_entropy(logits.flatten(0, 1), data["target_id"].flatten())
        optimizer.zero_grad()
        accelerator.backward(loss)
        optimizer.step()
        if step == training_steps:
            break


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--model_name", type=str, required=True)
    train(parser.parse_args(), [], 65)
