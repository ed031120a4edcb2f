"""Conformer-CTC lip reading on GRID (icefall recipe): Eve optimizer, Eden schedule, GradScaler."""
import torch
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel as DDP

from icefall.utils import MetricsTracker, create_grad_scaler, torch_autocast
from optim import Eden, Eve


def train_one_epoch(params, model, optimizer, graph_compiler, scheduler, train_dl, valid_dl, scaler, world_size=1, rank=0):
    model.train()
    tot_loss = MetricsTracker()
    for batch_idx, batch in enumerate(train_dl):
        params.batch_idx_train += 1
        batch_size = len(batch["supervisions"]["text"])

        with torch_autocast(enabled=params.use_fp16):
            loss, loss_info = compute_loss(params=params, model=model, batch=batch, graph_compiler=graph_compiler, is_training=True)
        tot_loss = (tot_loss * (1 - 1 / params.reset_interval)) + loss_info

        # the loss is a sum over utterances (reduction="sum"), not normalised yet
        try:
            scaler.scale(loss).backward()
        except RuntimeError as e:
            if "CUDA out of memory" in str(e):
                print(f"failing batch size: {batch_size}")
            raise

        scaler.unscale_(optimizer)
        grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)

        # Eden computes the LR from the batch count it is given
        scheduler.step_batch(params.batch_idx_train)
        scaler.step(optimizer)
        scaler.update()
        optimizer.zero_grad()

        if batch_idx % params.log_interval == 0:
            print(f"batch {batch_idx}, loss[{loss_info}], lr: {scheduler.get_last_lr()[0]:.2e}, grad_norm {grad_norm}")


def compute_loss(params, model, batch, graph_compiler, is_training):
    feature = batch["inputs"]
    nnet_output, encoder_memory, memory_mask = model(feature, batch["supervisions"])
    ctc_loss = graph_compiler.ctc_loss(nnet_output, batch["supervisions"], reduction=params.reduction)
    info = MetricsTracker()
    info["ctc_loss"] = ctc_loss.detach().cpu().item()
    return ctc_loss, info


def run(rank, world_size, args, params, model, graph_compiler, train_dl, valid_dl):
    device = torch.device("cuda", rank) if torch.cuda.is_available() else torch.device("cpu")
    model.to(device)
    if world_size > 1:
        model = DDP(model, device_ids=[rank])

    optimizer = Eve(model.parameters(), lr=params.initial_lr)
    scheduler = Eden(optimizer, params.lr_batches, params.lr_epochs)
    scaler = create_grad_scaler(enabled=params.use_fp16)

    for epoch in range(params.start_epoch, params.num_epochs + 1):
        scheduler.step_epoch(epoch - 1)
        train_dl.sampler.set_epoch(epoch - 1)
        params.cur_epoch = epoch
        train_one_epoch(params, model, optimizer, graph_compiler, scheduler, train_dl, valid_dl, scaler, world_size, rank)
