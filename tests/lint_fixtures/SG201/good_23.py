# Each micro-batch's summed token loss is divided by the token count of the whole batch, counted
# before the micro-batch loop: the gradient is the batch's token mean, no further division needed.
import torch
from torch import nn


class SFTTrainer:
    def __init__(self, model, optimizer, micro_batch_size):
        self.model = model
        self.optimizer = optimizer
        self.micro_batch_size = micro_batch_size

    def _loss_and_backward(self, batch, total_tokens):
        loss_mask = batch["loss_mask"][:, :-1].reshape(-1)
        logits = self.model(batch["input_ids"]).logits
        loss_fct = nn.CrossEntropyLoss(reduction="none")
        shift_logits = logits[..., :-1, :].reshape(-1, logits.size(-1))
        loss = loss_fct(shift_logits, batch["input_ids"][:, 1:].reshape(-1)) * loss_mask
        loss = torch.sum(loss) / total_tokens
        loss.backward()
        return loss

    def training_step(self, batch):
        self.optimizer.zero_grad()
        total_tokens = batch["loss_mask"][:, :-1].sum()
        step_loss = 0.0
        for micro_batch in batch.split(self.micro_batch_size):
            step_loss += self._loss_and_backward(micro_batch, total_tokens).item()
        self.optimizer.step()
        return step_loss
