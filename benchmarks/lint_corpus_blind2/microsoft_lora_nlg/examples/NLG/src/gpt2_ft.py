"""GPT-2 fine-tuning (optionally with LoRA) on E2E / WebNLG / DART."""

import argparse
import itertools

import loralib as lora
import torch
from torch.utils.data import DataLoader

from data_utils import FT_Dataset
from gpu import add_gpu_params, distributed_opt, parse_gpu
from model import GPT2Config, GPT2LMModel
from optimizer import add_optimizer_params, create_adam_optimizer_from_args, create_optimizer_scheduler

parser = argparse.ArgumentParser(description="PyTorch GPT2 ft script")
add_gpu_params(parser)
add_optimizer_params(parser)
parser.add_argument("--train_data", required=True)
parser.add_argument("--train_batch_size", type=int, default=8)
parser.add_argument("--grad_acc", type=int, default=1, help="gradient accumulation steps")
parser.add_argument("--clip", type=float, default=0.0, help="gradient clip")
parser.add_argument("--seq_len", type=int, default=512)
parser.add_argument("--fp16", action="store_true")
parser.add_argument("--lora_dim", type=int, default=0, help="lora attn dimension")
parser.add_argument("--lora_alpha", type=int, default=128)
parser.add_argument("--label_smooth", default=0.0, type=float)


def optimizer_step(_loss, _optimizer, _model, _schedule, args, is_update=True):
    if args.fp16:
        with amp.scale_loss(_loss, _optimizer) as _scaled_loss:
            _scaled_loss.backward()
    else:
        _loss.backward()

    if is_update:
        if args.clip > 0:
            if args.fp16:
                torch.nn.utils.clip_grad_norm_(amp.master_params(_optimizer), args.clip)
            else:
                torch.nn.utils.clip_grad_norm_(_model.parameters(), args.clip)
        _optimizer.step()
        _optimizer.zero_grad()

    if _schedule is not None:
        _schedule.step()


def train_validate(model, optimizer, scheduler, train_loader, args, train_step=0, epoch=0):
    model.train()
    train_loader.sampler.set_epoch(epoch)
    for idx, data in enumerate(train_loader):
        _input = data["input"].to(args.device)
        _target = data["target"].to(args.device)
        _msk = data["mask"].to(args.device)
        _lm_logits, _lm_loss = model(_input, lm_labels=_target, lm_mask=_msk, label_smooth=args.label_smooth)
        _lm_loss = _lm_loss.mean()

        train_step += 1
        is_update = train_step % args.grad_acc == 0
        optimizer_step(_lm_loss / (args.grad_acc), optimizer, model, scheduler, args, is_update=is_update)

        if train_step == args.max_step:
            break
    return train_step


if __name__ == "__main__":
    args = parser.parse_args()
    parse_gpu(args)
    if args.fp16:
        from apex import amp

    train_data = FT_Dataset(args.train_data, args.train_batch_size, args.seq_len)
    train_loader = DataLoader(
        train_data,
        batch_size=args.train_batch_size,
        drop_last=True,
        sampler=torch.utils.data.distributed.DistributedSampler(train_data, seed=args.random_seed),
    )

    lm_net = GPT2LMModel(GPT2Config(n_embd=1024, n_layer=24, n_head=16, lora_attn_dim=args.lora_dim)).cuda()
    if args.lora_dim > 0:
        lora.mark_only_lora_as_trainable(lm_net)

    optimizer = create_adam_optimizer_from_args(lm_net, args)

    if args.max_step is None:
        args.max_step = (args.max_epoch * train_data.num_batches + args.world_size - 1) // args.world_size

    scheduler = create_optimizer_scheduler(optimizer, args)
    if args.fp16:
        lm_net, optimizer = amp.initialize(lm_net, optimizer, opt_level="O1")
    lm_net, optimizer = distributed_opt(args, lm_net, optimizer, grad_acc=args.grad_acc)

    train_step = 0
    for epoch in itertools.count(start=1):
        train_step = train_validate(lm_net, optimizer, scheduler, train_loader, args, train_step=train_step, epoch=epoch)
        if train_step >= args.max_step or (args.max_epoch is not None and epoch >= args.max_epoch):
            break
