"""Paraphrase of s3prl/downstream/runner.py (s3prl/s3prl): Runner.train for SUPERB downstream tasks."""
import math

import torch

from s3prl.optimizers import get_optimizer
from s3prl.schedulers import get_scheduler

MAX_CONTINUAL_ERROR = 20


class Runner:
    def __init__(self, args, config, all_entries, upstream, featurizer, downstream):
        self.args = args
        self.config = config
        self.all_entries = all_entries
        self.upstream = upstream
        self.featurizer = featurizer
        self.downstream = downstream

    def train(self):
        trainable_models = []
        trainable_paras = []
        for entry in self.all_entries:
            if entry.trainable:
                trainable_models.append(entry.model)
                trainable_paras += list(entry.model.parameters())

        optimizer = get_optimizer(trainable_models, self.config["runner"]["total_steps"], self.config["optimizer"])
        scheduler = None
        if self.config.get("scheduler"):
            scheduler = get_scheduler(optimizer, self.config["runner"]["total_steps"], self.config["scheduler"])

        backward_steps = 0
        continual_error = 0
        gradient_accumulate_steps = self.config["runner"].get("gradient_accumulate_steps", 1)
        global_step = 0
        while global_step < self.config["runner"]["total_steps"]:
            dataloader = self.downstream.get_dataloader("train")
            for batch_id, (wavs, *others) in enumerate(dataloader):
                try:
                    features = self.featurizer(wavs, self.upstream(wavs))
                    loss = self.downstream("train", features, *others)
                    (loss / gradient_accumulate_steps).backward()
                    del loss
                except RuntimeError as e:
                    if "CUDA out of memory" in str(e):
                        optimizer.zero_grad()
                        continual_error += 1
                        continue
                    raise

                backward_steps += 1
                if backward_steps % gradient_accumulate_steps > 0:
                    continue

                grad_norm = torch.nn.utils.clip_grad_norm_(trainable_paras, self.config["runner"]["gradient_clipping"])

                if math.isnan(grad_norm):
                    optimizer.zero_grad()
                    continual_error += 1
                    continue
                else:
                    optimizer.step()
                optimizer.zero_grad()

                if scheduler:
                    scheduler.step()
                continual_error = 0
                global_step += 1
