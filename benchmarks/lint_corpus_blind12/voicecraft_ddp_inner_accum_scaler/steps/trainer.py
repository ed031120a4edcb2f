"""Paraphrase of steps/trainer.py (jasonppy/VoiceCraft): Trainer.train and the optimizer setup."""
import math

import torch
from torch.optim import AdamW
from torch.optim.lr_scheduler import LambdaLR

from models import voicecraft

from .optim import Eden, ScaledAdam


class Trainer:
    def __init__(self, args, world_size, rank, train_loader, train_dataset_length):
        self.args = args
        self.rank = rank
        self.train_loader = train_loader
        self.progress = {"step": 1}
        self.model, self.trainables = self._setup_models()
        if self.args.num_steps is not None:
            self.total_step = self.args.num_steps
        else:
            self.total_step = int(math.floor(train_dataset_length / self.args.batch_size)) * self.args.num_epochs
        self.optimizer, self.scheduler = self._setup_optimizer()
        self.scaler = torch.cuda.amp.GradScaler()
        self.model = torch.nn.parallel.DistributedDataParallel(self.model, device_ids=[self.rank])

    def train(self):
        skip_flag = False
        for batch in self.train_loader:
            self.model.train()
            all_inds = list(range(len(batch["y"])))
            for j in range(self.args.gradient_accumulation_steps):
                cur_ind = all_inds[j :: self.args.gradient_accumulation_steps]
                cur_batch = {key: batch[key][cur_ind] for key in batch}
                with torch.cuda.amp.autocast(dtype=torch.float16 if self.args.precision == "float16" else torch.float32):
                    out = self.model(cur_batch)
                if torch.isnan(out["loss"]).any():
                    skip_flag = True
                    continue
                if self.args.optimizer_name == "ScaledAdam":
                    self.scaler.scale(out["loss"]).backward()
                else:
                    self.scaler.scale(out["loss"] / out["effective_ntoken"]).backward()

            if skip_flag:
                self.optimizer.zero_grad()
                skip_flag = False
                continue

            if self.args.optimizer_name != "ScaledAdam":
                self.scaler.unscale_(self.optimizer)
                torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.args.gradient_clip_val)
            self.scaler.step(self.optimizer)
            self.scaler.update()

            self.optimizer.zero_grad()

            if self.args.optimizer_name == "ScaledAdam":
                self.scheduler.step_batch(self.progress["step"])
            else:
                self.scheduler.step()
            self.progress["step"] += 1

    def _setup_models(self):
        model = voicecraft.VoiceCraft(self.args)
        if self.args.optimizer_name == "ScaledAdam":
            trainables = [p for p in model.parameters() if p.requires_grad]
        else:
            no_decay = [".bias", ".audio_embeddings.weight", ".text_embeddings.weight", ".norm.weight", ".norm1.weight",
                        ".norm2.weight"]
            trainables = [
                {"params": [p for n, p in model.named_parameters() if not any(nd in n for nd in no_decay) and p.requires_grad],
                 "weight_decay": self.args.weight_decay},
                {"params": [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay) and p.requires_grad],
                 "weight_decay": 0.0},
            ]
        return model, trainables

    def _setup_optimizer(self):
        if self.args.optimizer_name == "ScaledAdam":
            optimizer = ScaledAdam(self.trainables, lr=self.args.lr, betas=(0.9, 0.95), clipping_scale=2.0)
            scheduler = Eden(optimizer, 3000, 4, warmup_batches=self.total_step * self.args.warmup_fraction)
        else:
            optimizer = AdamW(self.trainables, lr=self.args.lr)
            warmup_steps = self.total_step * self.args.warmup_fraction

            def lr_lambda(current_step):
                if current_step < warmup_steps:
                    return float(current_step) / float(max(1, warmup_steps))
                return max(0.0, float(self.total_step - current_step) / float(max(1, self.total_step - warmup_steps)))

            scheduler = LambdaLR(optimizer, lr_lambda, last_epoch=-1)
        optimizer.zero_grad()
        return optimizer, scheduler
