# The step and the logging each have their own guard; the scheduler sits outside both, in the
# loop body, so it advances on every micro-batch.
import torch
from transformers import get_linear_schedule_with_warmup


def train(model, loader, args):
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)
    updates = len(loader) // args.accum_steps * args.epochs
    scheduler = get_linear_schedule_with_warmup(optimizer, args.warmup_steps, updates)
    for epoch in range(args.epochs):
        for step, batch in enumerate(loader):
            loss = model(**batch).loss / args.accum_steps
            loss.backward()
            if (step + 1) % args.accum_steps == 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                optimizer.step()
                optimizer.zero_grad()
            if (step + 1) % args.accum_steps == 0 and step % args.log_every == 0:
                print(f"step {step}: loss {loss.item():.3f}")
            scheduler.step()
