import argparse
import os

import torch
import torch.distributed as dist

from models.model import ModelArgs, RMSNorm, Transformer, TransformerBlock
from utils.fsdp2_warpper import FSDP2_mix_warpper


def train(args):
    dist.init_process_group(backend="cuda:nccl,cpu:gloo")
    torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    device = torch.device(f"cuda:{int(os.environ['LOCAL_RANK'])}")
    simple_model_config = ModelArgs(dim=8192, n_layers=64, n_heads=64, n_kv_heads=8, vocab_size=151936)
    model = Transformer.from_model_args(simple_model_config)
    model.train()
    FSDP2_mix_warpper(None, model, TransformerBlock, norm_to_fp32=RMSNorm)

    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)

    for epoch in range(args.epochs):
        for batch_idx in range(args.size):
            optimizer.zero_grad()
            inp = torch.randint(model.vocab_size, (args.batch_size, args.seq_len), device=device)
            output = model(inp)
            loss = output.mean()
            loss.backward()
            optimizer.step()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--batch_size", type=int, default=8)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--seq_len", type=int, default=128)
    args = parser.parse_args()
    train(args)


if __name__ == "__main__":
    main()
