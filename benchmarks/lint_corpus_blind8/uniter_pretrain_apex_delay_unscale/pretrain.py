import argparse

import torch
from apex import amp
from horovod import torch as hvd
from torch.nn.utils import clip_grad_norm_

from model.pretrain import UniterForPretraining
from optim import build_optimizer, get_lr_sched
from utils.distributed import all_reduce_and_rescale_tensors
from utils.misc import parse_with_config


def main(opts):
    device = torch.device("cuda", hvd.local_rank())
    train_dataloaders, all_img_dbs = create_dataloaders(opts.train_datasets, True, opts)
    meta_loader = MetaLoader(train_dataloaders, accum_steps=opts.gradient_accumulation_steps, distributed=hvd.size() > 1)
    model = UniterForPretraining.from_pretrained(opts.model_config, {}, img_dim=2048, img_label_dim=1601)
    model.to(device)
    model.train()
    optimizer = build_optimizer(model, opts)
    task2scaler = {t: i for i, t in enumerate(train_dataloaders.keys())}
    model, optimizer = amp.initialize(model, optimizer, num_losses=len(task2scaler), enabled=opts.fp16, opt_level="O2")
    global_step = 0
    optimizer.zero_grad()
    optimizer.step()
    for step, (name, batch) in enumerate(meta_loader):
        task = name.split("_")[0]
        loss = model(batch, task=task, compute_loss=True)
        loss = loss.mean()
        delay_unscale = (step + 1) % opts.gradient_accumulation_steps != 0
        with amp.scale_loss(loss, optimizer, delay_unscale=delay_unscale, loss_id=task2scaler[name]) as scaled_loss:
            scaled_loss.backward()
            if not delay_unscale:
                grads = [p.grad.data for p in model.parameters() if p.requires_grad and p.grad is not None]
                all_reduce_and_rescale_tensors(grads, float(1))
        if (step + 1) % opts.gradient_accumulation_steps == 0:
            global_step += 1
            lr_this_step = get_lr_sched(global_step, opts)
            for param_group in optimizer.param_groups:
                param_group["lr"] = lr_this_step
            if opts.grad_norm != -1:
                grad_norm = clip_grad_norm_(amp.master_params(optimizer), opts.grad_norm)
            optimizer.step()
            optimizer.zero_grad()
        if global_step >= opts.num_train_steps:
            break


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--train_batch_size", default=4096, type=int)
    parser.add_argument("--gradient_accumulation_steps", type=int, default=16)
    parser.add_argument("--learning_rate", default=3e-5, type=float)
    parser.add_argument("--num_train_steps", default=100000, type=int)
    parser.add_argument("--optim", default="adamw", choices=["adam", "adamax", "adamw"])
    parser.add_argument("--weight_decay", default=0.01, type=float)
    parser.add_argument("--grad_norm", default=2.0, type=float)
    parser.add_argument("--warmup_steps", default=10000, type=int)
    parser.add_argument("--fp16", action="store_true")
    parser.add_argument("--config", required=True)
    args = parse_with_config(parser)
    main(args)
