import argparse
from types import SimpleNamespace

config = SimpleNamespace(
    model_name="sileod/deberta-v3-base-tasksource-nli",
    warmup_ratio=0.05,
    lr=4e-6,
    epochs=2,
    batch_size=3,
    grad_acc_steps=1,
    fp16=True,
    bf16=False,
    checkpoint_dir="checkpoints/",
)


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=config.epochs)
    parser.add_argument("--batch_size", type=int, default=config.batch_size)
    parser.add_argument("--lr", type=float, default=config.lr)
    parser.add_argument("--grad_acc_steps", type=int, default=config.grad_acc_steps)
    parser.add_argument("--bf16", action="store_true")
    for key, value in vars(parser.parse_args()).items():
        setattr(config, key, value)
    return config


if __name__ == "__main__":
    from mc_run import train
    train(parse_args())
