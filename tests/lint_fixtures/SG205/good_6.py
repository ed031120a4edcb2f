# A schedule sized in optimizer steps: samples over the effective batch (batch size times the
# accumulation steps). And an iteration count divided by a batch size the window length is
# computed from (k = batch_size // micro_batch_size): not a count of micro-batches, no finding.
import torch
from transformers import get_linear_schedule_with_warmup

batch_size = 128
micro_batch_size = 4
gradient_accumulation_iters = batch_size // micro_batch_size
max_iters = 50000


def train_one_epoch(model, loader, optimizer, sched, accum_steps):
    for i, batch in enumerate(loader):
        loss = model(**batch).loss / accum_steps
        loss.backward()
        if (i + 1) % accum_steps == 0:
            optimizer.step()
            sched.step()
            optimizer.zero_grad()


def main(args, model, loader):
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.0)
    total = args.num_samples // (args.batch_size * args.accum_steps) * args.epochs
    lr_scheduler = get_linear_schedule_with_warmup(optimizer, 100, total)
    for _ in range(args.epochs):
        train_one_epoch(model, loader, optimizer, lr_scheduler, args.accum_steps)


def pretrain(model, optimizer, get_batch):
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max_iters // batch_size)
    for iter_num in range(1, max_iters + 1):
        loss = model(get_batch()).loss
        (loss / gradient_accumulation_iters).backward()
        if iter_num % gradient_accumulation_iters == 0:
            optimizer.step()
            optimizer.zero_grad()
            scheduler.step()
