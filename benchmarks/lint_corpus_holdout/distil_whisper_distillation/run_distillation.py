from dataclasses import dataclass, field

import numpy as np
import torch
from accelerate import Accelerator
from torch import nn
from torch.utils.data import DataLoader
from transformers import HfArgumentParser, Seq2SeqTrainingArguments, get_scheduler
from transformers.trainer_pt_utils import get_parameter_names


@dataclass
class DistillationTrainingArguments(Seq2SeqTrainingArguments):
    kl_weight: float = field(default=1.0, metadata={"help": "weight of the KL term"})
    temperature: float = field(default=2.0, metadata={"help": "softmax temperature of the KL term"})


def kl_divergence(target, log_predicted, labels):
    divergence = nn.KLDivLoss(reduction="none")(log_predicted, target)
    mask = (labels >= 0).unsqueeze(-1)
    return (divergence * mask).sum() / mask.sum()


def load_models_and_data(training_args):
    raise NotImplementedError


def main():
    parser = HfArgumentParser(DistillationTrainingArguments)
    (training_args,) = parser.parse_args_into_dataclasses()
    accelerator = Accelerator(gradient_accumulation_steps=training_args.gradient_accumulation_steps)
    student_model, teacher_model, datasets, collator = load_models_and_data(training_args)

    per_device_train_batch_size = int(training_args.per_device_train_batch_size)
    train_batch_size = per_device_train_batch_size * accelerator.num_processes
    gradient_accumulation_steps = int(training_args.gradient_accumulation_steps)
    if training_args.max_steps < 0:
        num_epochs = int(training_args.num_train_epochs)
        steps_per_epoch = len(datasets["train"]) // (train_batch_size * gradient_accumulation_steps)
        total_train_steps = steps_per_epoch * num_epochs
    else:
        total_train_steps = int(training_args.max_steps)
        steps_per_epoch = len(datasets["train"]) // (train_batch_size * gradient_accumulation_steps)
        num_epochs = int(np.ceil(total_train_steps / steps_per_epoch))

    decay_names = [n for n in get_parameter_names(student_model, [nn.LayerNorm]) if "bias" not in n]
    grouped = [
        {"params": [p for n, p in student_model.named_parameters() if n in decay_names],
         "weight_decay": training_args.weight_decay},
        {"params": [p for n, p in student_model.named_parameters() if n not in decay_names],
         "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(
        params=grouped,
        lr=training_args.learning_rate,
        betas=(training_args.adam_beta1, training_args.adam_beta2),
        eps=training_args.adam_epsilon,
    )
    # a prepared scheduler is stepped num_processes times per call
    lr_scheduler = get_scheduler(
        name=training_args.lr_scheduler_type,
        optimizer=optimizer,
        num_warmup_steps=training_args.warmup_steps * accelerator.num_processes,
        num_training_steps=total_train_steps * accelerator.num_processes,
    )
    student_model, teacher_model, optimizer, lr_scheduler = accelerator.prepare(
        student_model, teacher_model, optimizer, lr_scheduler
    )

    def train_step(batch, temperature=2.0):
        student_model.train()
        teacher_model.eval()
        student_out = student_model(**batch)
        with torch.no_grad():
            teacher_out = teacher_model(**batch)
        ce_loss = student_out.loss
        teacher_dist = nn.functional.softmax(teacher_out.logits / temperature, dim=-1)
        student_dist = nn.functional.log_softmax(student_out.logits / temperature, dim=-1)
        kl_loss = kl_divergence(teacher_dist, student_dist, batch["labels"]) * temperature**2
        loss = 0.8 * ce_loss + training_args.kl_weight * kl_loss
        return loss, {"loss": loss, "ce_loss": ce_loss, "kl_loss": kl_loss}

    cur_step = 0
    for epoch in range(num_epochs):
        train_dataloader = accelerator.prepare(
            DataLoader(datasets["train"], batch_size=per_device_train_batch_size, collate_fn=collator)
        )
        for batch in train_dataloader:
            with accelerator.accumulate(student_model):
                loss, metrics = train_step(batch, temperature=training_args.temperature)
                accelerator.backward(loss)
                if accelerator.sync_gradients:
                    accelerator.clip_grad_norm_(student_model.parameters(), training_args.max_grad_norm)
                optimizer.step()
                lr_scheduler.step()
                optimizer.zero_grad()

            if accelerator.sync_gradients:
                cur_step += 1
                if cur_step == total_train_steps:
                    return


if __name__ == "__main__":
    main()
