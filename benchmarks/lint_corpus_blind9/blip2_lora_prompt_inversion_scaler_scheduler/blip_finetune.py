import argparse

import torch
from torch.cuda.amp import GradScaler, autocast
from transformers import Blip2ForConditionalGeneration

from scheduler import WarmupCosineLR
from utils import get_lora_model

device = torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")


def build_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--lora_alpha", type=int, default=32)
    parser.add_argument("--lora_rank", type=int, default=16)
    parser.add_argument("--lora_bias", type=str, default="none")
    parser.add_argument("--lora_dropout", type=float, default=0.05)
    parser.add_argument("--lora_modules", nargs="+", type=str, default=[])
    parser.add_argument("--warmup", action="store_true")
    parser.add_argument("--warmup_steps", type=int, default=1000)
    parser.add_argument("--warmup_init_lr", type=float, default=1e-8)
    parser.add_argument("--init_lr", type=float, default=1e-5)
    parser.add_argument("--warmup_min_lr", type=float, default=0)
    parser.add_argument("--weight_decay", type=float, default=0.05)
    parser.add_argument("--precision", type=str, default="float32")
    return parser.parse_args()


def train_manual(peft_model, preprocessor, train_loader, epochs, optimizer, scheduler, precision, max_length):
    if precision == "float16":
        scaler = GradScaler(enabled=True)
    for epoch in range(epochs):
        peft_model.train()
        for i, data in enumerate(train_loader):
            inputs, inputs_generate, prompt = data
            optimizer.zero_grad()
            labels = torch.tensor(preprocessor.tokenizer(text=prompt, padding="max_length", truncation=True, max_length=max_length)["input_ids"]).to(device)
            if precision == "float16":
                with autocast(enabled=True):
                    pixel_values = inputs.pop("pixel_values").to(device)
                    outputs = peft_model(pixel_values=pixel_values, labels=labels)
                    loss = outputs.loss
                    if torch.isnan(outputs.loss).any():
                        continue
                    scaler.scale(loss).backward()
                    scaler.step(optimizer)
                    scaler.update()
            else:
                pixel_values = inputs.pop("pixel_values").to(device)
                outputs = peft_model(pixel_values=pixel_values, labels=labels)
                loss = outputs.loss
                loss.backward()
                optimizer.step()
            if scheduler != None:
                scheduler.step()


def main(args, processor, train_loader):
    model = Blip2ForConditionalGeneration.from_pretrained("Salesforce/blip2-opt-2.7b-coco").to(device)
    lora_configs = {
        "lora_rank": args.lora_rank, "lora_alpha": args.lora_alpha, "lora_bias": args.lora_bias,
        "lora_dropout": args.lora_dropout, "target_modules": args.lora_modules,
    }
    peft_model = get_lora_model(model, lora_configs)
    peft_model = peft_model.to(device)
    optimizer = torch.optim.AdamW(peft_model.parameters(), lr=args.init_lr, weight_decay=args.weight_decay)
    if args.warmup:
        scheduler = WarmupCosineLR(optimizer, warmup_steps=args.warmup_steps, total_steps=len(train_loader) * args.epochs,
                                   warmup_init_lr=args.warmup_init_lr, max_lr=args.init_lr, min_lr=args.warmup_min_lr)
    else:
        scheduler = None
    train_manual(peft_model, processor, train_loader, args.epochs, optimizer, scheduler, args.precision, 512)


if __name__ == "__main__":
    main(build_args(), None, None)
