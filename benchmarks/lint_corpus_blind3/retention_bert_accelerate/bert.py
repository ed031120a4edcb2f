import argparse

import torch
import torch.nn.functional as F
from accelerate import Accelerator
from torch.utils.data import DataLoader
from transformers import AdamW, AutoModelForSequenceClassification, get_scheduler


def main(args, train_set, num_classes):
    model = AutoModelForSequenceClassification.from_pretrained(args.model_checkpoint, num_labels=num_classes)
    train_dataloader = DataLoader(train_set, shuffle=True, batch_size=args.batch_size)

    t_total = int((len(train_dataloader) // args.batch_size) // args.gradient_accumulation_steps * float(args.num_epochs))
    warmup_steps = int((len(train_dataloader) // args.batch_size) // args.gradient_accumulation_steps * args.warmup_ratio)

    no_decay = ["bias", "LayerNorm.weight"]
    grouped = [
        {"params": [p for n, p in model.named_parameters() if not any(nd in n for nd in no_decay)], "weight_decay": args.weight_decay},
        {"params": [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay)], "weight_decay": 0.0},
    ]
    optimizer = AdamW(grouped, lr=args.lr, eps=args.adam_epsilon)
    lr_scheduler = get_scheduler(name=args.lr_scheduler_type, optimizer=optimizer,
                                 num_warmup_steps=warmup_steps, num_training_steps=t_total)

    accelerator = Accelerator(fp16=args.fp16)
    model, optimizer, train_dataloader = accelerator.prepare(model, optimizer, train_dataloader)

    for epoch in range(args.num_epochs):
        model.train()
        for step, batch in enumerate(train_dataloader):
            outputs = model(**batch)
            logits = outputs["logits"]
            loss = F.cross_entropy(logits.view(-1, num_classes), batch["labels"])
            accelerator.backward(loss)
            if (step + 1) % args.gradient_accumulation_steps == 0 or step == len(train_dataloader) - 1:
                optimizer.step()
                if args.use_schedule:
                    lr_scheduler.step()
                optimizer.zero_grad()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch_size", type=int, default=2)
    parser.add_argument("--num_epochs", type=int, default=10)
    parser.add_argument("--gradient_accumulation_steps", type=int, default=8)
    parser.add_argument("--lr", type=float, default=2e-5)
    parser.add_argument("--lr_scheduler_type", type=str, default="linear")
    parser.add_argument("--fp16", action="store_true")
    parser.add_argument("--use_schedule", action="store_true")
    parser.add_argument("--weight_decay", default=1e-4, type=float)
    parser.add_argument("--adam_epsilon", default=1e-8, type=float)
    parser.add_argument("--warmup_ratio", default=0.4, type=float)
    parser.add_argument("--model_checkpoint", type=str, default="bert-base-uncased")
    args = parser.parse_args()
    main(args, None, 2)
