import argparse

import torch
from accelerate import Accelerator
from transformers import AutoModelForCausalLM, AutoTokenizer, get_linear_schedule_with_warmup


def train_batch(model, batch, optimizer, accelerator):
    outputs = model(**batch)
    loss = outputs.loss
    if not loss.requires_grad:
        return torch.zeros(1, device=loss.device, requires_grad=True) + loss.detach()
    return loss


def main(args):
    accelerator = Accelerator(
        gradient_accumulation_steps=args.gradient_accumulation_steps,
        log_with="wandb",
        cpu_offload=True,
    )
    cfg = load_config(args.config)
    tokenizer, model = get_tokenizer_and_model(cfg)
    train_dataloader = make_loader(tokenizer, args.batch_size)
    optimizer = torch.optim.AdamW(
        model.parameters(),
        lr=float(cfg["training"]["learning_rate"]),
        weight_decay=0.01,
        betas=(0.9, 0.999),
        eps=1e-8,
    )
    num_epochs = cfg["training"]["num_train_epochs"]
    num_training_steps = len(train_dataloader) * num_epochs
    lr_scheduler = get_linear_schedule_with_warmup(
        optimizer,
        num_warmup_steps=int(0.1 * num_training_steps),
        num_training_steps=num_training_steps,
    )
    model, optimizer, train_dataloader, lr_scheduler = accelerator.prepare(
        model, optimizer, train_dataloader, lr_scheduler
    )
    for epoch in range(num_epochs):
        model.train()
        for step, batch in enumerate(train_dataloader):
            loss = train_batch(model, batch, optimizer, accelerator)
            with accelerator.accumulate(model):
                optimizer.zero_grad()
                accelerator.backward(loss)
                if accelerator.sync_gradients:
                    accelerator.clip_grad_norm_(model.parameters(), 1.0)
                optimizer.step()
                lr_scheduler.step()


def get_tokenizer_and_model(cfg):
    from peft import LoraConfig, get_peft_model  # imported at the top of the original file

    base = cfg["model"]["base_model"]
    tokenizer = AutoTokenizer.from_pretrained(base, use_fast=True)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(base, load_in_8bit=True, device_map="auto")
    lora_cfg = LoraConfig(
        r=cfg["model"]["lora"]["r"],
        lora_alpha=cfg["model"]["lora"]["alpha"],
        target_modules=["q_proj", "v_proj"],
        lora_dropout=cfg["model"].get("dropout", 0.1),
        bias="none",
        task_type="CAUSAL_LM",
    )
    model = get_peft_model(model, lora_cfg)
    return tokenizer, model


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", type=str, default="default.yaml")
    parser.add_argument("--gradient_accumulation_steps", type=int, default=16)
    parser.add_argument("--batch_size", type=int, default=16)
    main(parser.parse_args())
