import argparse

import pytorch_lightning as pl
import torch
from deepspeed.ops.adam import FusedAdam
from transformers import AutoModelForCausalLM


class FineTuned(pl.LightningModule):
    def __init__(self, lm_name="gpt2-medium", lr=5e-5, weight_decay=0.0, **kwargs):
        super().__init__()
        self.save_hyperparameters()
        self.lm = AutoModelForCausalLM.from_pretrained(lm_name)

    def forward(self, **inputs):
        return self.lm(**inputs)

    def training_step(self, batch, batch_idx):
        inputs = {"input_ids": batch[0], "attention_mask": batch[1]}
        inputs["labels"] = batch[0].masked_fill(batch[1] == 0, -100)
        loss = self(**inputs)[0]
        self.log("train_loss", loss)
        return loss

    def configure_optimizers(self):
        optim_class = FusedAdam
        optimizer = optim_class(
            self.parameters(),
            lr=self.hparams.lr,
            weight_decay=self.hparams.weight_decay,
        )
        return optimizer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lm_name", default="EleutherAI/gpt-neo-2.7B")
    parser.add_argument("--dataset", default="avax")
    parser.add_argument("--batch_size", type=int, default=8)
    parser.add_argument("--model_batch_size", type=int, default=2)
    args = parser.parse_args()
    train_data = get_data(args.lm_name, "train", args.dataset)
    model = FineTuned(lm_name=args.lm_name, dataset=args.dataset)
    if args.model_batch_size < args.batch_size:
        accumulate_grad_batches = args.batch_size // args.model_batch_size
    else:
        accumulate_grad_batches = None
    train_dataloader = torch.utils.data.DataLoader(train_data, shuffle=True, batch_size=args.model_batch_size)
    trainer = pl.Trainer(
        gpus=8,
        strategy="deepspeed_stage_3",
        precision=16,
        max_epochs=5,
        accumulate_grad_batches=accumulate_grad_batches,
    )
    trainer.fit(model, train_dataloader)


if __name__ == "__main__":
    main()
