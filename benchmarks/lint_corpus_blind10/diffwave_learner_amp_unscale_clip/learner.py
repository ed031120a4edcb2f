import os

import numpy as np
import torch
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel

from diffwave.dataset import from_path as dataset_from_path
from diffwave.model import DiffWave


class DiffWaveLearner:
    def __init__(self, model_dir, model, dataset, optimizer, params, *args, **kwargs):
        os.makedirs(model_dir, exist_ok=True)
        self.model_dir = model_dir
        self.model = model
        self.dataset = dataset
        self.optimizer = optimizer
        self.params = params
        self.autocast = torch.cuda.amp.autocast(enabled=kwargs.get("fp16", False))
        self.scaler = torch.cuda.amp.GradScaler(enabled=kwargs.get("fp16", False))
        self.step = 0
        beta = np.array(self.params.noise_schedule)
        self.noise_level = torch.tensor(np.cumprod(1 - beta).astype(np.float32))
        self.loss_fn = nn.L1Loss()

    def train(self, max_steps=None):
        device = next(self.model.parameters()).device
        while True:
            for features in self.dataset:
                if max_steps is not None and self.step >= max_steps:
                    return
                features = {k: v.to(device) if isinstance(v, torch.Tensor) else v for k, v in features.items()}
                loss = self.train_step(features)
                if torch.isnan(loss).any():
                    raise RuntimeError(f"Detected NaN loss at step {self.step}.")
                self.step += 1

    def train_step(self, features):
        for param in self.model.parameters():
            param.grad = None
        audio = features["audio"]
        spectrogram = features["spectrogram"]
        N, T = audio.shape
        self.noise_level = self.noise_level.to(audio.device)
        with self.autocast:
            t = torch.randint(0, len(self.params.noise_schedule), [N], device=audio.device)
            noise_scale = self.noise_level[t].unsqueeze(1)
            noise = torch.randn_like(audio)
            noisy_audio = noise_scale**0.5 * audio + (1.0 - noise_scale) ** 0.5 * noise
            predicted = self.model(noisy_audio, spectrogram, t)
            loss = self.loss_fn(noise, predicted.squeeze(1))
        self.scaler.scale(loss).backward()
        self.scaler.unscale_(self.optimizer)
        self.grad_norm = nn.utils.clip_grad_norm_(self.model.parameters(), self.params.max_grad_norm or 1e9)
        self.scaler.step(self.optimizer)
        self.scaler.update()
        return loss


def _train_impl(replica_id, model, dataset, args, params):
    torch.backends.cudnn.benchmark = True
    opt = torch.optim.Adam(model.parameters(), lr=params.learning_rate)
    learner = DiffWaveLearner(args.model_dir, model, dataset, opt, params, fp16=args.fp16)
    learner.train(max_steps=args.max_steps)


def train_distributed(replica_id, replica_count, port, args, params):
    os.environ["MASTER_ADDR"] = "localhost"
    os.environ["MASTER_PORT"] = str(port)
    torch.distributed.init_process_group("nccl", rank=replica_id, world_size=replica_count)
    device = torch.device("cuda", replica_id)
    torch.cuda.set_device(device)
    model = DiffWave(params).to(device)
    model = DistributedDataParallel(model, device_ids=[replica_id])
    _train_impl(replica_id, model, dataset_from_path(args.data_dirs, params, is_distributed=True), args, params)
