import torch
from torch.utils.data import DataLoader
from transformers import AdamW, AutoModelForQuestionAnswering, get_scheduler

from utils import parse_args_train


class Trainer:
    def __init__(self, model_name, train_set, learning_rate=3e-5, weight_decay=0.1, epochs=1, train_batch_size=4,
                 scheduler="cosine", warmup=0.05, adam_epsilon=1e-8, fp16=False, accumulation_steps=1):
        self.model = AutoModelForQuestionAnswering.from_pretrained(model_name)
        self.model.to("cuda")
        self.train_set = train_set
        self.epochs = epochs
        self.train_batch_size = train_batch_size
        self.optimizer = self._make_optimizer(learning_rate, adam_epsilon, weight_decay)
        total_steps = len(train_set) // train_batch_size
        warmup_steps = total_steps * warmup
        self.scheduler = get_scheduler(scheduler, self.optimizer, warmup_steps, total_steps)
        self.accumulation_steps = accumulation_steps
        self.fp16 = fp16
        if self.fp16:
            self.scaler = torch.cuda.amp.GradScaler()

    def train(self):
        self.model.train()
        dataloader = DataLoader(self.train_set, batch_size=self.train_batch_size, shuffle=True)
        for epoch in range(1, self.epochs + 1):
            self.optimizer.zero_grad()
            for step, batch in enumerate(dataloader):
                batch = {k: v.to("cuda") for k, v in batch.items()}
                if self.fp16:
                    with torch.cuda.amp.autocast():
                        output = self.model(**batch)
                    loss = output.loss
                    loss = loss / self.accumulation_steps
                    self.scaler.scale(loss).backward()
                else:
                    output = self.model(**batch)
                    loss = output.loss
                    loss = loss / self.accumulation_steps
                    loss.backward()
                if (step + 1) % self.accumulation_steps == 0:
                    if self.fp16:
                        self.scaler.step(self.optimizer)
                        self.scaler.update()
                    else:
                        self.optimizer.step()
                    self.optimizer.zero_grad()
                if self.scheduler:
                    self.scheduler.step()

    def _make_optimizer(self, learning_rate, adam_epsilon, weight_decay):
        no_decay = ["bias", "LayerNorm.weight"]
        groups = [
            {"params": [p for n, p in self.model.named_parameters() if not any(nd in n for nd in no_decay)], "weight_decay": weight_decay},
            {"params": [p for n, p in self.model.named_parameters() if any(nd in n for nd in no_decay)], "weight_decay": 0.0},
        ]
        return AdamW(groups, lr=learning_rate, eps=adam_epsilon, correct_bias=True)


if __name__ == "__main__":
    config = parse_args_train()
    trainer = Trainer(
        config.model,
        [],
        learning_rate=config.learning_rate,
        weight_decay=config.weight_decay,
        epochs=config.epochs,
        train_batch_size=config.train_batch_size,
        scheduler=config.scheduler,
        warmup=config.warmup,
        adam_epsilon=config.adam_epsilon,
        fp16=config.fp16,
        accumulation_steps=config.accumulation_steps,
    )
    trainer.train()
