from dataclasses import dataclass, field

import torch
from transformers import AutoModel, get_linear_schedule_with_warmup

from src.model.base import BaseModel


@dataclass
class DPGNNModelArguments:
    lr: float = field(default=1e-5)
    gradient_accumulation_steps: int = field(default=2)
    weight_decay: float = field(default=1e-4)
    num_warmup_steps: float = field(default=0.05)
    word_emb_dim: int = field(default=768)
    num_heads: int = field(default=8)
    pretrained_encoder: str = field(default="bert-base-chinese")


class DPGNNModel(BaseModel):
    def __init__(self, args: DPGNNModelArguments):
        super().__init__()
        self.automatic_optimization = False
        self.args = args
        self.bert = AutoModel.from_pretrained(args.pretrained_encoder)
        layer = torch.nn.TransformerEncoderLayer(d_model=args.word_emb_dim, nhead=args.num_heads, batch_first=True)
        self.resume_active_encoder = torch.nn.TransformerEncoder(layer, num_layers=1)
        self.job_active_encoder = torch.nn.TransformerEncoder(layer, num_layers=1)

    def training_step(self, batch, batch_idx):
        loss = self.compute_loss(batch)
        optimizer = self.optimizers()
        loss /= self.args.gradient_accumulation_steps
        self.manual_backward(loss)
        self.clip_gradients(optimizer, gradient_clip_val=10.0, gradient_clip_algorithm="norm")
        if (batch_idx + 1) % self.args.gradient_accumulation_steps == 0:
            optimizer.step()
            optimizer.zero_grad()
        scheduler = self.lr_schedulers()
        scheduler.step()
        return loss

    def configure_optimizers(self):
        optimizer = torch.optim.AdamW(self.parameters(), lr=self.args.lr, weight_decay=self.args.weight_decay)
        scheduler = get_linear_schedule_with_warmup(
            optimizer,
            num_warmup_steps=int(self.args.num_warmup_steps * self.trainer.max_steps),
            num_training_steps=self.trainer.max_steps,
        )
        return [optimizer], [scheduler]
