import torch
from accelerate import Accelerator
from bitsandbytes.optim import AdamW32bit
from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training
from torch.nn.utils import clip_grad_norm_
from torch.utils.data import DataLoader
from transformers import AutoModelForCausalLM, BitsAndBytesConfig

from loss import GRPOLoss
from replay_buffer import ReplayBuffer, join_experience_batch


def load_model(name, use_lora=True):
    quantization_config = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_compute_dtype=torch.bfloat16)
    model = AutoModelForCausalLM.from_pretrained(name, quantization_config=quantization_config, torch_dtype=torch.bfloat16)
    if use_lora:
        model.gradient_checkpointing_enable()
        model = prepare_model_for_kbit_training(model)
        model = get_peft_model(model, LoraConfig(r=16, lora_alpha=32, target_modules="all-linear", bias="none", task_type="CAUSAL_LM"))
    return model


def sequences_log_probs(model, sequence_ids, attention_mask):
    logits = model(input_ids=sequence_ids, attention_mask=attention_mask).logits
    log_prob = torch.log_softmax(logits[:, :-1].float(), dim=-1)
    return log_prob.gather(-1, sequence_ids[:, 1:].unsqueeze(-1)).squeeze(-1)


def main(prompts, collect_rollouts):
    accelerator = Accelerator(cpu=True)
    lr = 5e-6
    max_norm = 1.0
    train_batch_size = 16
    epochs_per_step = 1
    model = load_model("unsloth/Llama-3.2-1B-Instruct", use_lora=True)
    optimizer = AdamW32bit(model.parameters(), lr=lr, is_paged=True)
    model, optimizer = accelerator.prepare(model, optimizer)
    objective = GRPOLoss(clip_eps=0.2, kl_weight=0.01)
    replay_buffer = ReplayBuffer()
    for prompt_batch in DataLoader(prompts, batch_size=32, shuffle=True, drop_last=True):
        replay_buffer.clear()
        collect_rollouts(model, prompt_batch, replay_buffer)
        sampler = DataLoader(replay_buffer, batch_size=train_batch_size, shuffle=True, collate_fn=join_experience_batch)
        model.train()
        for _ in range(epochs_per_step):
            for exp in sampler:
                optimizer.zero_grad()
                exp = exp.to(accelerator.device)
                log_probs = sequences_log_probs(model, exp.sequences, exp.attention_mask)
                loss, kl = objective(log_probs=log_probs, experience=exp)
                accelerator.backward(loss)
                clip_grad_norm_(model.parameters(), max_norm=max_norm)
                optimizer.step()
