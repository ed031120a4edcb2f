import argparse
import functools

import torch

import data_asr
import models_asr


def lr_lambda(step, args):
    if step < args.warmup_steps:
        return step / args.warmup_steps
    min_ratio = args.min_lr_ratio
    frac = (step - args.warmup_steps) / (args.max_steps - args.warmup_steps)
    return max(1.0 - (1.0 - min_ratio) * frac, min_ratio)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--warmup_steps", type=int, default=1000)
    parser.add_argument("--max_steps", type=int, default=50000)
    parser.add_argument("--per_device_train_batch_size", type=int, default=128)
    parser.add_argument("--accumulation_steps", type=int, default=1)
    parser.add_argument("--peak_lr", type=float, default=1e-4)
    parser.add_argument("--min_lr_ratio", type=float, default=0.4)
    parser.add_argument("--weight_decay", type=float, default=0.01)
    parser.add_argument("--max_grad_value", type=float, default=5.0)
    parser.add_argument("--lm_dir", type=str, default=False)
    args = parser.parse_args()
    device = torch.device("cuda")

    train_loader = torch.utils.data.DataLoader(data_asr.AsrDataset(args), batch_size=args.per_device_train_batch_size, shuffle=True)
    encoder = models_asr.WavLMWrapper()
    hidden = encoder.encoder.config.hidden_size
    connector = models_asr.Connector(hidden, 512, num_heads=4, ff_size=4 * hidden)
    lm = models_asr.Transformer.load_from_dir(args.lm_dir, device)
    model = models_asr.EncoderConnectorLm(encoder, connector, lm)
    model.freeze_encoder()
    model.freeze_lm()
    model = model.to(device)
    optimizer = torch.optim.AdamW(model.connector.parameters(), lr=args.peak_lr, weight_decay=args.weight_decay)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, functools.partial(lr_lambda, args=args))

    train_loader_iter = iter(train_loader)
    for j in range(1, args.max_steps + 1):
        optimizer.zero_grad()
        for k in range(args.accumulation_steps):
            try:
                batch = next(train_loader_iter)
            except StopIteration:
                train_loader_iter = iter(train_loader)
                batch = next(train_loader_iter)
            batch = {key: v.to(device) if isinstance(v, torch.Tensor) else v for key, v in batch.items()}
            z, loss, acc = model(batch)
            (loss / args.accumulation_steps).backward()
        torch.nn.utils.clip_grad_value_(model.parameters(), args.max_grad_value)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)


if __name__ == "__main__":
    main()
