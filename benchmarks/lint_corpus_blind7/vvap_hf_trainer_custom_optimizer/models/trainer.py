import torch
import torch.nn as nn
from transformers import Trainer, get_linear_schedule_with_warmup


class CustomTrainer(Trainer):
    def __init__(self, learning_rate, weight_decay, class_weights, *args, **kwargs):
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        super().__init__(*args, **kwargs)
        self.lr_scheduler = None
        self.optimizer = None
        self.criterion = nn.BCEWithLogitsLoss()

    def create_optimizer(self):
        if self.optimizer is None:
            self.optimizer = torch.optim.AdamW(self.model.parameters(), lr=0.003, weight_decay=0.0001)
        return self.optimizer

    def compute_loss(self, model, inputs, return_outputs=False):
        labels = inputs.pop("labels")
        outputs = model(**inputs)
        logits = outputs.get("logits")
        total = 0
        for ch in range(3):
            total += self.criterion(logits.permute(1, 0)[ch], labels.squeeze().permute(1, 0)[ch].float())
        total = total / 3
        return (total, outputs) if return_outputs else total

    def create_scheduler(self, num_training_steps: int, optimizer=None):
        if optimizer is None:
            optimizer = self.create_optimizer()
        if self.lr_scheduler is None:
            self.lr_scheduler = get_linear_schedule_with_warmup(
                optimizer, num_warmup_steps=self.args.warmup_steps, num_training_steps=num_training_steps
            )
        return self.lr_scheduler
