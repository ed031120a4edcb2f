import numpy as np
import torch
from torch import nn, optim


class Model(nn.Module):
    def __init__(self, n_classes=1, input_shape=(16, 96), layer_dim=128):
        super().__init__()
        self.n_classes = n_classes
        self.device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
        self.model = nn.Sequential(
            nn.Flatten(),
            nn.Linear(input_shape[0] * input_shape[1], layer_dim),
            nn.LayerNorm(layer_dim),
            nn.ReLU(),
            nn.Linear(layer_dim, n_classes),
            nn.Sigmoid(),
        )
        self.history = {"loss": []}
        self.loss = torch.nn.functional.binary_cross_entropy
        self.optimizer = optim.Adam(self.model.parameters(), lr=0.0001)

    def lr_warmup_cosine_decay(self, global_step, warmup_steps=0, hold=0, total_steps=0, target_lr=1e-3):
        lr = 0.5 * target_lr * (1 + np.cos(np.pi * (global_step - warmup_steps - hold) / (total_steps - warmup_steps - hold)))
        if hold > 0:
            lr = np.where(global_step > warmup_steps + hold, lr, target_lr)
        return np.where(global_step < warmup_steps, target_lr * global_step / warmup_steps, lr)

    def train_model(self, X, max_steps, warmup_steps, hold_steps, lr=0.0001):
        self.model.to(self.device)
        accumulation_steps = 1
        accumulated_samples = 0
        for step_ndx, data in enumerate(X, 0):
            x, y = data[0].to(self.device), data[1].to(self.device)
            for g in self.optimizer.param_groups:
                g["lr"] = self.lr_warmup_cosine_decay(
                    step_ndx, warmup_steps=warmup_steps, hold=hold_steps, total_steps=max_steps, target_lr=lr
                )

            # zero the parameter gradients
            self.optimizer.zero_grad()

            predictions = self.model(x)
            # keep only the examples the model still gets wrong
            keep = ((y == 0) & (predictions.squeeze() >= 0.001)) | ((y == 1) & (predictions.squeeze() < 0.999))
            predictions, y_ = predictions[keep], y[keep][..., None].to(torch.float32)

            if predictions.shape[0] != 0:
                # "accumulate" until 128 hard examples were seen: small batches skip the backward entirely
                loss = self.loss(predictions, y_)
                loss = loss / accumulation_steps
                accumulated_samples += predictions.shape[0]
                if accumulated_samples < 128:
                    accumulation_steps += 1
                else:
                    loss.backward()
                    self.optimizer.step()
                    accumulation_steps = 1
                    accumulated_samples = 0
                    self.history["loss"].append(loss.detach().cpu().numpy())

            if step_ndx == max_steps - 1:
                break
