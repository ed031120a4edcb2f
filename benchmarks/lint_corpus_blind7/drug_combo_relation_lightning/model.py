import pytorch_lightning as pl
import torch.nn.functional as F

from optimizers import simple_adamw


class RelationExtractor(pl.LightningModule):
    def __init__(self, model, num_train_optimization_steps, tokenizer, lr=5e-4, correct_bias=True,
                 warmup_proportion=0.1, optimizer_strategy=simple_adamw):
        super().__init__()
        self.model = model
        self.num_steps = num_train_optimization_steps
        self.lr = lr
        self.correct_bias = correct_bias
        self.warmup_proportion = warmup_proportion
        self.optimizer_strategy = optimizer_strategy

    def configure_optimizers(self):
        return self.optimizer_strategy(self.named_parameters(), self.lr, self.correct_bias, self.num_steps,
                                       self.warmup_proportion)

    def training_step(self, inputs, batch_idx):
        labels = inputs[3]
        logits = self.model(*inputs)
        return F.cross_entropy(logits.view(-1, self.model.num_rel_labels), labels.view(-1))
