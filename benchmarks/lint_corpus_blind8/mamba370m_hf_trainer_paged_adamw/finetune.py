import torch
from accelerate import Accelerator
from datasets import Dataset
from mamba_ssm.models.mixer_seq_simple import MambaLMHeadModel
from transformers import AutoTokenizer, Trainer, TrainingArguments

accelerator = Accelerator()
model_path = "state-spaces/mamba-370m"
model = MambaLMHeadModel.from_pretrained(model_path, dtype=torch.bfloat16, device="cuda")
tokenizer = AutoTokenizer.from_pretrained("TinyPhi")
tokenizer.pad_token = tokenizer.eos_token
data = Dataset.from_pandas(load_alpaca_subset())

args = TrainingArguments(
    output_dir="out",
    auto_find_batch_size=True,
    logging_steps=500,
    save_steps=5000,
    gradient_accumulation_steps=4,
    num_train_epochs=2,
    optim="paged_adamw_32bit",
    learning_rate=0.0005,
    fp16=False,
    bf16=True,
)

trainer = Trainer(model=model, tokenizer=tokenizer, args=args, data_collator=collate, train_dataset=data)
trainer.train()
