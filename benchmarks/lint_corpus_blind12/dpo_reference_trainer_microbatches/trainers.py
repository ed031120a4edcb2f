"""Paraphrase of trainers.py (eric-mitchell/direct-preference-optimization): BasicTrainer.train."""
import torch


class BasicTrainer:
    def __init__(self, policy, config, train_iterator):
        self.policy = policy
        self.config = config
        self.train_iterator = train_iterator

    def get_batch_metrics(self, batch, loss_config, train=True):
        raise NotImplementedError

    def train(self):
        self.optimizer = getattr(torch.optim, self.config.optimizer)(self.policy.parameters(), lr=self.config.lr)
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(
            self.optimizer, lr_lambda=lambda step: min(1.0, (step + 1) / (self.config.warmup_steps + 1))
        )

        for batch in self.train_iterator:
            self.policy.train()
            for microbatch_idx in range(self.config.gradient_accumulation_steps):
                microbatch = batch[microbatch_idx :: self.config.gradient_accumulation_steps]
                loss, metrics = self.get_batch_metrics(microbatch, self.config.loss, train=True)
                (loss / self.config.gradient_accumulation_steps).backward()

            grad_norm = self.clip_gradient()
            self.optimizer.step()
            self.scheduler.step()
            self.optimizer.zero_grad()

    def clip_gradient(self):
        return torch.nn.utils.clip_grad_norm_(self.policy.parameters(), self.config.max_grad_norm).item()
