import click
import torch

from configs import get_configs
from dataset import EYLSFTStaticDataset
from gpt import GPT
from trainers import SFTTrainer


def train(pretrain, batch_size, exp_name):
    device = "cuda" if torch.cuda.is_available() else "cpu"
    cfg = get_configs("gpt2-medium")
    cfg.max_steps = 40002 // batch_size
    cfg.batch_size = batch_size
    cfg.pretrain = pretrain
    cfg.exp_name = exp_name
    model = GPT.from_pretrained(cfg)
    train_ds = EYLSFTStaticDataset(block_size=1024, split="train", max_examples=None, tokenizer_name="tiktoken/gpt2")
    test_ds = EYLSFTStaticDataset(block_size=1024, split="test", max_examples=None, tokenizer_name="tiktoken/gpt2")
    trainer = SFTTrainer(cfg, device, model, train_ds, test_ds)
    trainer.fit()


@click.command()
@click.option("--pretrain", "-p", default="huggingface")
@click.option("--batch-size", "-b", default=1)
@click.option("--exp-name", "-n", default="default")
@click.option("--optimizer-name", "-o", default="default")
def main(pretrain, batch_size, exp_name, optimizer_name):
    train(pretrain, batch_size, exp_name)


if __name__ == "__main__":
    main()
