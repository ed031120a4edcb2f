import torch
from torch.utils.data import DataLoader, RandomSampler
from transformers import AdamW, get_linear_schedule_with_warmup

from utils import MODEL_CLASSES


class Trainer:
    def __init__(self, args, train_dataset, num_labels):
        self.args = args
        self.train_dataset = train_dataset
        config_class, model_class = MODEL_CLASSES[args.model_type]
        config = config_class.from_pretrained(args.model_name_or_path, num_labels=num_labels)
        self.model = model_class.from_pretrained(args.model_name_or_path, config=config)
        self.device = "cuda" if torch.cuda.is_available() else "cpu"
        self.model.to(self.device)

    def train(self):
        loader = DataLoader(self.train_dataset, sampler=RandomSampler(self.train_dataset),
                            batch_size=self.args.batch_size)
        if self.args.max_steps > 0:
            t_total = self.args.max_steps
            self.args.num_train_epochs = self.args.max_steps // (len(loader) // self.args.gradient_accumulation_steps) + 1
        else:
            t_total = len(loader) // self.args.gradient_accumulation_steps * self.args.num_train_epochs
        no_decay = ["bias", "LayerNorm.weight"]
        grouped = [
            {"params": [p for n, p in self.model.named_parameters() if not any(nd in n for nd in no_decay)],
             "weight_decay": self.args.weight_decay},
            {"params": [p for n, p in self.model.named_parameters() if any(nd in n for nd in no_decay)],
             "weight_decay": 0.0},
        ]
        optimizer = AdamW(grouped, lr=self.args.learning_rate, eps=self.args.adam_epsilon)
        scheduler = get_linear_schedule_with_warmup(optimizer, num_warmup_steps=self.args.warmup_steps,
                                                    num_training_steps=t_total)
        global_step = 0
        self.model.zero_grad()
        for _ in range(int(self.args.num_train_epochs)):
            for step, batch in enumerate(loader):
                self.model.train()
                batch = tuple(t.to(self.device) for t in batch)
                inputs = {"input_ids": batch[0], "attention_mask": batch[1], "labels": batch[3]}
                if self.args.model_type != "distilkobert":
                    inputs["token_type_ids"] = batch[2]
                loss = self.model(**inputs)[0]
                if self.args.gradient_accumulation_steps > 1:
                    loss = loss / self.args.gradient_accumulation_steps
                loss.backward()
                if (step + 1) % self.args.gradient_accumulation_steps == 0:
                    torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.args.max_grad_norm)
                    optimizer.step()
                    scheduler.step()
                    self.model.zero_grad()
                    global_step += 1
                if 0 < self.args.max_steps < global_step:
                    break
        return global_step
