import argparse
import os

import torch
import torch.optim as optim
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.profiler import record_function
from torch.utils.data import DataLoader, DistributedSampler
from transformers import GPT2Config, GPT2LMHeadModel

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=2)
parser.add_argument("--per_device_batch", type=int, default=16)
parser.add_argument("--max_steps", type=int, default=-1)
args = parser.parse_args()


def train(rank, world_size, dataset, collate_fn):
    device = torch.device(f"cuda:{rank}")
    model = GPT2LMHeadModel(GPT2Config(n_positions=128, n_embd=768, n_layer=12, n_head=12)).to(device)
    model = DDP(model, device_ids=[rank])
    sampler = DistributedSampler(dataset, num_replicas=world_size, rank=rank, shuffle=True)
    dataloader = DataLoader(dataset, batch_size=args.per_device_batch, sampler=sampler, collate_fn=collate_fn)
    optimizer = optim.AdamW(model.parameters(), lr=5e-5)
    for epoch in range(args.epochs):
        sampler.set_epoch(epoch)
        for input_ids, labels in dataloader:
            optimizer.zero_grad()
            with record_function("model_forward"):
                outputs = model(input_ids.to(device), labels=labels.to(device))
                loss = outputs.loss
            with record_function("model_backward"):
                loss.backward()
                optimizer.step()


if __name__ == "__main__":
    torch.distributed.init_process_group(backend="nccl")
    train(int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1)), [], None)
