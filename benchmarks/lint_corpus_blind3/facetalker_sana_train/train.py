import itertools
import math
from argparse import ArgumentParser

import torch
import torch.nn.functional as F
import torch.optim as optim
from accelerate import Accelerator
from diffusers import SanaTransformer2DModel
from diffusers.optimization import get_scheduler
from torch.utils.data import DataLoader

from dataloader import MyDataset

parser = ArgumentParser()
parser.add_argument("--data_root", type=str, default="")
parser.add_argument("--learning_rate", type=float, default=2e-5)
parser.add_argument("--lr_scheduler", type=str, default="constant")
parser.add_argument("--lr_warmup_steps", type=int, default=0)
parser.add_argument("--adam_beta1", type=float, default=0.9)
parser.add_argument("--adam_beta2", type=float, default=0.999)
parser.add_argument("--adam_weight_decay", type=float, default=1e-2)
parser.add_argument("--adam_epsilon", type=float, default=1e-08)
parser.add_argument("--max_grad_norm", default=1.0, type=float)
parser.add_argument("--max_train_steps", type=int, default=100000)
parser.add_argument("--train_batch_size", type=int, default=4)
parser.add_argument("--gradient_accumulation_steps", type=int, default=1)
parser.add_argument("--mixed_precision", type=str, default="no", choices=["no", "fp16", "bf16"])
args = parser.parse_args()


def train():
    accelerator = Accelerator(
        gradient_accumulation_steps=args.gradient_accumulation_steps,
        mixed_precision=args.mixed_precision,
    )
    model = SanaTransformer2DModel(sample_size=10).to(accelerator.device)
    params_to_optimize = itertools.chain(model.parameters())
    optimizer = optim.AdamW(
        params_to_optimize,
        lr=args.learning_rate,
        betas=(args.adam_beta1, args.adam_beta2),
        weight_decay=args.adam_weight_decay,
        eps=args.adam_epsilon,
    )
    lr_scheduler = get_scheduler(
        args.lr_scheduler,
        optimizer=optimizer,
        num_warmup_steps=args.lr_warmup_steps * accelerator.num_processes,
        num_training_steps=args.max_train_steps * accelerator.num_processes,
    )
    dataset = MyDataset(root_dir=args.data_root)
    dataloader = DataLoader(dataset, batch_size=args.train_batch_size, shuffle=True)
    num_update_steps_per_epoch = math.ceil(len(dataloader) / args.gradient_accumulation_steps)
    num_train_epochs = math.ceil(args.max_train_steps / num_update_steps_per_epoch)

    if args.lr_scheduler == "constant":
        model, dataloader = accelerator.prepare(model, dataloader)
    else:
        model, optimizer, dataloader, lr_scheduler = accelerator.prepare(model, optimizer, dataloader, lr_scheduler)

    model.train()
    for epoch in range(num_train_epochs):
        for step, (input_vaes, audio_feats, real_vaes, real_imgs) in enumerate(dataloader):
            with accelerator.accumulate(model):
                timesteps = torch.ones(args.train_batch_size).to(accelerator.device) * 0.31831
                pred = model(hidden_states=input_vaes, timestep=timesteps, encoder_hidden_states=audio_feats).sample
                loss = F.mse_loss(pred.float(), real_vaes.float(), reduction="mean")
                accelerator.backward(loss)
                if accelerator.sync_gradients:
                    params_to_clip = itertools.chain(model.parameters())
                    accelerator.clip_grad_norm_(params_to_clip, args.max_grad_norm)
                    optimizer.step()
                    lr_scheduler.step()
                    optimizer.zero_grad()


if __name__ == "__main__":
    train()
