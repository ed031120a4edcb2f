import argparse

import torch
import torch.optim as optim

from cnn_models import Tagger14


def bce_clip(out, target):
    return torch.nn.functional.binary_cross_entropy(out["clipwise_output"], target["target"])


def train(args, train_loader):
    device = "cuda" if args.cuda and torch.cuda.is_available() else "cpu"
    model = Tagger14(sample_rate=args.sample_rate, window_size=args.window_size, hop_size=args.hop_size,
                     mel_bins=args.mel_bins, fmin=args.fmin, fmax=args.fmax, classes_num=527)

    optimizer = optim.AdamW(model.parameters(), lr=args.learning_rate,
                            betas=(0.9, 0.999), eps=1e-08, weight_decay=0.01, amsgrad=True)

    model = torch.nn.DataParallel(model).to(device)
    iteration = 0
    for batch in train_loader:
        batch = {k: v.to(device) for k, v in batch.items()}
        model.train()
        out = model(batch["waveform"], batch.get("mixup_lambda"))
        loss = bce_clip(out, {"target": batch["target"]})

        loss.backward()
        optimizer.step()
        optimizer.zero_grad()

        if iteration == args.early_stop:
            break
        iteration += 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--sample_rate", type=int, default=32000)
    parser.add_argument("--window_size", type=int, default=1024)
    parser.add_argument("--hop_size", type=int, default=320)
    parser.add_argument("--mel_bins", type=int, default=64)
    parser.add_argument("--fmin", type=int, default=50)
    parser.add_argument("--fmax", type=int, default=14000)
    parser.add_argument("--batch_size", type=int, default=32)
    parser.add_argument("--learning_rate", type=float, default=1e-3)
    parser.add_argument("--early_stop", type=int, default=1000000)
    parser.add_argument("--cuda", action="store_true", default=False)
    train(parser.parse_args(), train_loader=[])
