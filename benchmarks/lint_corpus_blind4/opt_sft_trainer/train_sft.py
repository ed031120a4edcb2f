import argparse
import math

from torch.optim import Adam
from torch.utils.data import DataLoader
from transformers import AutoModelForCausalLM
from transformers.trainer import get_scheduler

from trainer.sft import SFTTrainer


def train(args, train_dataset):
    model = AutoModelForCausalLM.from_pretrained(args.pretrain)
    model.to("cuda")
    optim = Adam(model.parameters(), lr=args.lr)
    train_dataloader = DataLoader(train_dataset, shuffle=True, batch_size=args.batch_size, pin_memory=True)
    step_per_epoch = len(train_dataloader)
    max_steps = math.ceil(args.max_epochs * step_per_epoch)
    lr_scheduler = get_scheduler("cosine", optim, num_warmup_steps=math.ceil(max_steps * 0.03), num_training_steps=max_steps)
    trainer = SFTTrainer(model=model, optim=optim, lr_scheduler=lr_scheduler, max_epochs=args.max_epochs, device="cuda")
    trainer.fit(train_dataloader=train_dataloader)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--pretrain", type=str, default="facebook/opt-125m")
    parser.add_argument("--max_epochs", type=int, default=2)
    parser.add_argument("--batch_size", type=int, default=8)
    parser.add_argument("--lr", type=float, default=5e-6)
    train(parser.parse_args(), [])
