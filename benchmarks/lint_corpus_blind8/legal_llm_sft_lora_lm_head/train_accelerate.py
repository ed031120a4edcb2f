import argparse
import os

import torch
from accelerate import Accelerator
from datasets import load_dataset
from peft import LoraConfig
from transformers import AutoModelForCausalLM, AutoTokenizer
from trl import SFTConfig, SFTTrainer

m2hf = {"llama3_8b": "meta-llama/Meta-Llama-3-8B", "qwen_small": "Qwen/Qwen2.5-0.5B"}
accelerator = Accelerator()


def train():
    parser = argparse.ArgumentParser(description="Train with Accelerate + DeepSpeed")
    parser.add_argument("--data_path", type=str, default="../data")
    parser.add_argument("--train_filename", type=str, default="train.csv")
    parser.add_argument("--model_name", type=str, default="llama3_8b")
    parser.add_argument("--log_path", type=str, default="./log")
    parser.add_argument("--max_length", type=int, default=1024)
    args = parser.parse_args()
    base_model_id = m2hf[args.model_name]
    train_dataset = load_dataset("csv", data_files=os.path.join(args.data_path, args.train_filename), split="train")
    model = AutoModelForCausalLM.from_pretrained(base_model_id)
    tokenizer = AutoTokenizer.from_pretrained(base_model_id, padding_side="left")
    peft_config = LoraConfig(
        r=16,
        lora_alpha=32,
        lora_dropout=0.05,
        target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj", "lm_head"],
        bias="none",
        task_type="CAUSAL_LM",
    )
    training_arguments = SFTConfig(
        output_dir=os.path.join(args.log_path, f"legalita-{args.model_name}"),
        learning_rate=4.5e-4,
        warmup_ratio=0.1,
        lr_scheduler_type="cosine",
        bf16=True,
        per_device_train_batch_size=1,
        gradient_accumulation_steps=8,
        num_train_epochs=1,
        weight_decay=0.01,
        optim="adamw_8bit",
        max_seq_length=512,
    )
    trainer = SFTTrainer(model=model, train_dataset=train_dataset, peft_config=peft_config, processing_class=tokenizer, args=training_arguments)
    trainer.train(resume_from_checkpoint=False)


if __name__ == "__main__":
    train()
