# A trainer method splits its batch into micro-batches and calls a helper that backpropagates each
# micro-batch's token-mean loss; only the value returned for logging is divided by the number of
# micro-batches, so the gradient is the sum of n micro-batch means.
import torch
from torch import nn


class SFTTrainer:
    def __init__(self, model, optimizer, micro_batch_size):
        self.model = model
        self.optimizer = optimizer
        self.micro_batch_size = micro_batch_size

    def _loss_and_backward(self, batch):
        loss_mask = batch["loss_mask"][:, :-1].reshape(-1)
        logits = self.model(batch["input_ids"]).logits
        loss_fct = nn.CrossEntropyLoss(reduction="none")
        shift_logits = logits[..., :-1, :].reshape(-1, logits.size(-1))
        loss = loss_fct(shift_logits, batch["input_ids"][:, 1:].reshape(-1)) * loss_mask
        loss = torch.sum(loss) / (torch.sum(loss_mask) + 1e-8)
        loss.backward()
        return loss

    def training_step(self, batch):
        self.optimizer.zero_grad()
        micro_batches = batch.split(self.micro_batch_size)
        n_micro = len(micro_batches)
        step_loss = 0.0
        for micro_batch in micro_batches:
            loss = self._loss_and_backward(micro_batch) / n_micro
            step_loss += loss.item()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
        self.optimizer.step()
        return step_loss
