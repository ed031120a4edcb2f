"""Paraphrase of main.py and trainer.py (facebookresearch/online-dt): optimizers and one training step."""
import argparse

import torch

from decision_transformer import DecisionTransformer
from lamb import Lamb


class Experiment:
    def __init__(self, variant, state_dim, act_dim):
        self.model = DecisionTransformer(state_dim, act_dim, hidden_size=variant["embed_dim"])
        self.optimizer = Lamb(
            self.model.parameters(),
            lr=variant["learning_rate"],
            weight_decay=variant["weight_decay"],
            eps=1e-8,
        )
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(
            self.optimizer, lambda steps: min((steps + 1) / variant["warmup_steps"], 1)
        )
        self.log_temperature_optimizer = torch.optim.Adam([self.model.log_temperature], lr=1e-4, betas=[0.9, 0.999])

    def train_step(self, loss_fn, trajs):
        action_preds = self.model(*trajs)
        loss, nll, entropy = loss_fn(action_preds, trajs, self.model.temperature().detach())
        self.optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 0.25)
        self.optimizer.step()

        self.log_temperature_optimizer.zero_grad()
        temperature_loss = self.model.temperature() * (entropy - self.model.target_entropy).detach()
        temperature_loss.backward()
        self.log_temperature_optimizer.step()

        if self.scheduler is not None:
            self.scheduler.step()
        return loss.item()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--embed_dim", type=int, default=512)
    parser.add_argument("--learning_rate", "-lr", type=float, default=1e-4)
    parser.add_argument("--weight_decay", "-wd", type=float, default=5e-4)
    parser.add_argument("--warmup_steps", type=int, default=10000)
    args = parser.parse_args()
    Experiment(vars(args), 11, 3)
