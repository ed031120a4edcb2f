import deepspeed
import torch
from peft import LoraConfig, get_peft_model
from torch.utils.data import DataLoader, RandomSampler
from transformers import AutoModelForSeq2SeqLM

from config_utils import ConfigParser
from dataset import NerCollate, load_data


def main():
    defaults = {
        "model_dir": "chatglm-6b/",
        "lora_r": 8,
        "train_batch_size": 12,
        "gradient_accumulation_steps": 1,
        "num_train_epochs": 1,
        "train_path": "data/msra/instruct_data/train.txt",
    }
    args = ConfigParser(defaults).parse_main()
    model = AutoModelForSeq2SeqLM.from_pretrained(args.model_dir, trust_remote_code=True)
    lora = LoraConfig(r=args.lora_r, lora_alpha=32, target_modules=["query_key_value"], lora_dropout=0.1, bias="none", task_type="CAUSAL_LM")
    model = get_peft_model(model, lora).cuda()
    conf = {
        "train_micro_batch_size_per_gpu": args.train_batch_size,
        "gradient_accumulation_steps": args.gradient_accumulation_steps,
        "optimizer": {"type": "Adam", "params": {"lr": 1e-5, "betas": [0.9, 0.95], "eps": 1e-8, "weight_decay": 5e-4}},
        "fp16": {"enabled": True},
        "zero_optimization": {"stage": 1, "offload_optimizer": {"device": "cpu", "pin_memory": True}},
    }
    train_data = load_data(args.train_path)
    loader = DataLoader(train_data, batch_size=conf["train_micro_batch_size_per_gpu"], sampler=RandomSampler(train_data), drop_last=True, collate_fn=NerCollate(args, None).collate_fn)
    model_engine, optimizer, _, _ = deepspeed.initialize(config=conf, model=model, model_parameters=model.parameters())
    model_engine.train()
    global_step = 0
    for epoch in range(args.num_train_epochs):
        for step, batch in enumerate(loader):
            loss = model_engine.forward(input_ids=batch["input_ids"].cuda(), labels=batch["labels"].cuda())[0]
            if conf["gradient_accumulation_steps"] > 1:
                loss = loss / conf["gradient_accumulation_steps"]
            model_engine.backward(loss)
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            if (step + 1) % conf["gradient_accumulation_steps"] == 0:
                model_engine.step()
                global_step += 1


if __name__ == "__main__":
    main()
