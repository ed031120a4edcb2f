"""Paraphrase of src/running.py: the output-layer L2 penalty and the supervised runner."""
import torch


def l2_reg_loss(model):
    for name, param in model.named_parameters():
        if name == "output_layer.weight":
            return torch.sum(torch.square(param))


class SupervisedRunner:
    def __init__(self, model, dataloader, loss_module, optimizer=None, l2_reg=None):
        self.model = model
        self.dataloader = dataloader
        self.loss_module = loss_module
        self.optimizer = optimizer
        self.l2_reg = l2_reg

    def train_epoch(self):
        self.model.train()
        for X, targets, padding_masks in self.dataloader:
            predictions = self.model(X, padding_masks)
            loss = self.loss_module(predictions, targets)
            mean_loss = torch.sum(loss) / len(loss)

            if self.l2_reg:
                total_loss = mean_loss + self.l2_reg * l2_reg_loss(self.model)
            else:
                total_loss = mean_loss

            self.optimizer.zero_grad()
            total_loss.backward()
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), max_norm=4.0)
            self.optimizer.step()
