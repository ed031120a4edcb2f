import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, RandomSampler

from fireredasr.models.fireredasr import FireRedAsr
from data import ASRDataset


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--audio_dir", type=str, required=True)
    parser.add_argument("--model_name", type=str, default="FireRedASR-AED-L")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch_size", type=int, default=1)
    parser.add_argument("--lr", type=float, default=1e-4)
    args = parser.parse_args()
    device = torch.device("cuda")
    wrapper = FireRedAsr(args.model_name)
    wrapper.model.to(device)
    data = ASRDataset(args.audio_dir)
    loader = DataLoader(data, batch_size=args.batch_size, sampler=RandomSampler(data), collate_fn=lambda b: b[0])
    criterion = nn.CrossEntropyLoss(ignore_index=2)
    optimizer = torch.optim.Adam(wrapper.model.parameters(), lr=args.lr)
    for epoch in range(args.epochs):
        wrapper.model.train()
        for batch in loader:
            logits = wrapper.forward(batch["feat"].to(device), batch["lengths"].to(device), batch["decoder_input"].to(device))
            gold = batch["gold_target"].to(device)
            logits = logits[:, : gold.size(1), :]
            loss = criterion(logits.reshape(-1, logits.size(-1)), gold.reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()


if __name__ == "__main__":
    main()
