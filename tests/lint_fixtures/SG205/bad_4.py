# The schedule length goes through an attribute: max_steps counts micro-batches.
import torch
from transformers import get_scheduler


def train(args, model, train_loader):
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.learning_rate)
    args.max_steps = args.num_epochs * len(train_loader)
    lr_scheduler = get_scheduler(
        "linear", optimizer=optimizer, num_warmup_steps=0, num_training_steps=args.max_steps
    )
    for epoch in range(args.num_epochs):
        for step, batch in enumerate(train_loader):
            loss = model(**batch).loss / args.gradient_accumulation_steps
            loss.backward()
            if (step + 1) % args.gradient_accumulation_steps == 0:
                optimizer.step()
                lr_scheduler.step()
                optimizer.zero_grad()
