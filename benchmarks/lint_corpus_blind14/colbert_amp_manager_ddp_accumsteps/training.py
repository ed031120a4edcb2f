import torch
import torch.nn as nn
from transformers import AdamW, get_linear_schedule_with_warmup

from amp import MixedPrecisionManager
from modeling import ColBERT
from settings import ColBERTConfig


def train(config: ColBERTConfig, reader):
    config.bsize = config.bsize // config.nranks
    colbert = ColBERT(name=config.checkpoint, colbert_config=config).cuda()
    colbert.train()
    colbert = torch.nn.parallel.DistributedDataParallel(colbert, device_ids=[config.rank],
                                                        output_device=config.rank,
                                                        find_unused_parameters=True)
    optimizer = AdamW(filter(lambda p: p.requires_grad, colbert.parameters()), lr=config.lr, eps=1e-8)
    optimizer.zero_grad()
    scheduler = None
    if config.warmup is not None:
        scheduler = get_linear_schedule_with_warmup(optimizer, num_warmup_steps=config.warmup,
                                                    num_training_steps=config.maxsteps)
    amp = MixedPrecisionManager(config.amp)
    labels = torch.zeros(config.bsize, dtype=torch.long, device="cuda")
    for batch_idx, batch_steps in zip(range(config.maxsteps), reader):
        this_batch_loss = 0.0
        for queries, passages in batch_steps:
            with amp.context():
                scores = colbert(queries, passages).view(-1, config.nway)
                loss = nn.CrossEntropyLoss()(scores, labels[:scores.size(0)])
                loss = loss / config.accumsteps
            amp.backward(loss)
            this_batch_loss += loss.item()
        amp.step(colbert, optimizer, scheduler)
