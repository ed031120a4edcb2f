import torch
from apex import amp
from apex.parallel import DistributedDataParallel as DDP

import commons
import models


def build(rank, hps, n_vocab):
    generator = models.FlowGenerator(n_vocab=n_vocab, out_channels=hps.data.n_mel_channels, **hps.model).cuda(rank)
    optimizer_g = commons.NoamAdam(generator.parameters(), scheduler=hps.train.scheduler,
                                   dim_model=hps.model.hidden_channels, warmup_steps=hps.train.warmup_steps,
                                   lr=hps.train.learning_rate, betas=hps.train.betas, eps=hps.train.eps)
    if hps.train.fp16_run:
        generator, optimizer_g._optim = amp.initialize(generator, optimizer_g._optim, opt_level="O1")
    return DDP(generator), optimizer_g


def train(rank, epoch, hps, generator, optimizer_g, train_loader):
    train_loader.sampler.set_epoch(epoch)
    generator.train()
    for batch_idx, (x, x_lengths, y, y_lengths) in enumerate(train_loader):
        x, x_lengths = x.cuda(rank, non_blocking=True), x_lengths.cuda(rank, non_blocking=True)
        y, y_lengths = y.cuda(rank, non_blocking=True), y_lengths.cuda(rank, non_blocking=True)

        optimizer_g.zero_grad()
        outputs = generator(x, x_lengths, y, y_lengths, gen=False)
        loss_g = models.mle_loss(*outputs[0]) + models.duration_loss(outputs[2][1], outputs[2][2], x_lengths)

        if hps.train.fp16_run:
            with amp.scale_loss(loss_g, optimizer_g._optim) as scaled_loss:
                scaled_loss.backward()
            commons.clip_grad_value_(amp.master_params(optimizer_g._optim), 5)
        else:
            loss_g.backward()
            commons.clip_grad_value_(generator.parameters(), 5)
        optimizer_g.step()
