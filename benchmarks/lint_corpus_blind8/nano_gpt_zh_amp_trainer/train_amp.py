import json
import math
import os
from contextlib import nullcontext

import torch

from model import GPT, ModelConfig, TrainConfig

CONFIG_JSON = "train_config.json"


class TrainGPT:
    def __init__(self, config_dict):
        self.train_config = TrainConfig(**config_dict)
        self.model_config = ModelConfig(**{k: config_dict[k] for k in ("block_size", "vocab_size", "n_layer", "n_head", "n_embd")})
        self.model = None
        self.optimizer = None
        self.scaler = None
        self.ctx = None

    def init(self):
        self.model = GPT(self.model_config)
        self.model.to(self.train_config.device)
        _device_type = "cuda" if "cuda" in self.train_config.device else "cpu"
        self.optimizer = self.model.configure_optimizers(self.train_config.weight_decay, self.train_config.learning_rate, (self.train_config.beta1, self.train_config.beta2), _device_type)
        self.scaler = torch.cuda.amp.GradScaler(enabled=(self.train_config.dtype == "float16"))
        _ptdtype = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}[self.train_config.dtype]
        self.ctx = nullcontext() if _device_type == "cpu" else torch.amp.autocast(device_type=_device_type, dtype=_ptdtype)

    def update_learning_rate(self, it):
        if it < self.train_config.warmup_iters:
            return self.train_config.learning_rate * it / self.train_config.warmup_iters
        if it > self.train_config.lr_decay_iters:
            return self.train_config.min_lr
        decay_ratio = (it - self.train_config.warmup_iters) / (self.train_config.lr_decay_iters - self.train_config.warmup_iters)
        coeff = 0.5 * (1.0 + math.cos(math.pi * decay_ratio))
        return self.train_config.min_lr + coeff * (self.train_config.learning_rate - self.train_config.min_lr)

    def start(self):
        self.init()
        X, Y = self.get_batch("train")
        iter = 0
        while iter < self.train_config.max_iters:
            lr = self.update_learning_rate(iter) if self.train_config.decay_lr else self.train_config.learning_rate
            for param_group in self.optimizer.param_groups:
                param_group["lr"] = lr
            with self.ctx:
                _, loss = self.model(X, Y)
            X, Y = self.get_batch("train")
            self.scaler.scale(loss).backward()
            if self.train_config.grad_clip != 0.0:
                self.scaler.unscale_(self.optimizer)
                torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.train_config.grad_clip)
            self.scaler.step(self.optimizer)
            self.scaler.update()
            self.optimizer.zero_grad(set_to_none=True)
            iter += 1


def main():
    with open(os.path.join(os.path.dirname(__file__), CONFIG_JSON), "r", encoding="utf-8") as f:
        config = json.load(f)
        trainer = TrainGPT(config)
        trainer.start()


if __name__ == "__main__":
    main()
