"""LoRA causal-LM fine-tuning with accelerate (launched with the DeepSpeed ZeRO-3 config next to this file)."""
import torch
from accelerate import Accelerator
from datasets import load_dataset
from peft import LoraConfig, TaskType, get_peft_model
from torch.utils.data import DataLoader
from tqdm import tqdm
from transformers import AutoModelForCausalLM, AutoTokenizer, default_data_collator, get_linear_schedule_with_warmup


def main():
    accelerator = Accelerator()
    model_name_or_path = "bigscience/bloomz-7b1"
    peft_config = LoraConfig(task_type=TaskType.CAUSAL_LM, inference_mode=False, r=8, lora_alpha=32, lora_dropout=0.1)
    lr = 3e-3
    num_epochs = 20
    batch_size = 8

    tokenizer = AutoTokenizer.from_pretrained(model_name_or_path)
    with accelerator.main_process_first():
        train_dataset = build_train_dataset(load_dataset("ought/raft", "twitter_complaints"), tokenizer)
    train_dataloader = DataLoader(
        train_dataset, shuffle=True, collate_fn=default_data_collator, batch_size=batch_size, pin_memory=True
    )

    model = AutoModelForCausalLM.from_pretrained(model_name_or_path)
    model = get_peft_model(model, peft_config)
    model.print_trainable_parameters()

    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
    lr_scheduler = get_linear_schedule_with_warmup(
        optimizer=optimizer,
        num_warmup_steps=0,
        num_training_steps=(len(train_dataloader) * num_epochs),
    )
    model, train_dataloader, optimizer, lr_scheduler = accelerator.prepare(
        model, train_dataloader, optimizer, lr_scheduler
    )

    for epoch in range(num_epochs):
        model.train()
        total_loss = 0
        for step, batch in enumerate(tqdm(train_dataloader)):
            outputs = model(**batch)
            loss = outputs.loss
            total_loss += loss.detach().float()
            accelerator.backward(loss)
            optimizer.step()
            lr_scheduler.step()
            optimizer.zero_grad()
        accelerator.print(f"{epoch=}: {torch.exp(total_loss / len(train_dataloader))=}")


def build_train_dataset(dataset, tokenizer):
    return dataset["train"]


if __name__ == "__main__":
    main()
