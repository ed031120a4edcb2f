# The helper divides each micro-batch's token-mean loss by the number of micro-batches before its
# backward: the gradient is the mean over the batch.
import torch
from torch import nn


class SFTTrainer:
    def __init__(self, model, optimizer, micro_batch_size):
        self.model = model
        self.optimizer = optimizer
        self.micro_batch_size = micro_batch_size

    def _loss_and_backward(self, batch, n_micro):
        loss_mask = batch["loss_mask"][:, :-1].reshape(-1)
        logits = self.model(batch["input_ids"]).logits
        loss_fct = nn.CrossEntropyLoss(reduction="none")
        shift_logits = logits[..., :-1, :].reshape(-1, logits.size(-1))
        loss = loss_fct(shift_logits, batch["input_ids"][:, 1:].reshape(-1)) * loss_mask
        loss = torch.sum(loss) / (torch.sum(loss_mask) + 1e-8) / n_micro
        loss.backward()
        return loss

    def training_step(self, batch):
        self.optimizer.zero_grad()
        micro_batches = batch.split(self.micro_batch_size)
        step_loss = 0.0
        for micro_batch in micro_batches:
            step_loss += self._loss_and_backward(micro_batch, len(micro_batches)).item()
        self.optimizer.step()
        return step_loss
