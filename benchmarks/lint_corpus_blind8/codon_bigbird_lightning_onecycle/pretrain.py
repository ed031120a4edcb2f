import argparse

import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader
from transformers import BigBirdConfig, BigBirdForMaskedLM, PreTrainedTokenizerFast

from CodonTransformer.CodonUtils import NUM_ORGANISMS, IterableJSONData


class plTrainHarness(pl.LightningModule):
    def __init__(self, model, learning_rate, warmup_fraction, train_dataset=None, batch_size=None, n_gpus=None, grad_accum=None):
        super().__init__()
        self.model = model
        self.learning_rate = learning_rate
        self.warmup_fraction = warmup_fraction
        self.train_dataset = train_dataset
        self.batch_size = batch_size
        self.n_gpus = n_gpus
        self.grad_accum = grad_accum

    def configure_optimizers(self):
        optimizer = torch.optim.AdamW(
            self.model.parameters(),
            lr=self.learning_rate,
        )
        if all(x is not None for x in [self.train_dataset, self.batch_size, self.n_gpus, self.grad_accum]):
            total_steps = self.train_dataset.get_total_steps(batch_size=self.batch_size, n_gpus=self.n_gpus, grad_accum=self.grad_accum)
        else:
            total_steps = self.trainer.estimated_stepping_batches
        lr_scheduler = {
            "scheduler": torch.optim.lr_scheduler.OneCycleLR(
                optimizer,
                max_lr=self.learning_rate,
                total_steps=total_steps,
                pct_start=self.warmup_fraction,
                anneal_strategy="linear",
            ),
            "interval": "step",
            "frequency": 1,
        }
        return [optimizer], [lr_scheduler]

    def training_step(self, batch, batch_idx):
        self.model.bert.set_attention_type("block_sparse")
        outputs = self.model(**batch)
        self.log_dict({"loss": outputs.loss}, on_step=True, prog_bar=True)
        return outputs.loss


def main(args):
    tokenizer = PreTrainedTokenizerFast(tokenizer_file=args.tokenizer_path)
    config = BigBirdConfig(vocab_size=len(tokenizer), type_vocab_size=NUM_ORGANISMS, sep_token_id=2)
    model = BigBirdForMaskedLM(config=config)
    train_data = IterableJSONData(data_path=args.train_data_path, train=True, dist_env="slurm")
    harnessed_model = plTrainHarness(
        model=model,
        learning_rate=args.learning_rate,
        warmup_fraction=args.warmup_fraction,
        train_dataset=train_data,
        batch_size=args.batch_size,
        n_gpus=args.num_gpus,
        grad_accum=args.accumulate_grad_batches,
    )
    data_loader = DataLoader(dataset=train_data, batch_size=args.batch_size)
    trainer = pl.Trainer(
        strategy="ddp_find_unused_parameters_true",
        accelerator="gpu",
        devices=args.num_gpus,
        precision="16-mixed",
        max_epochs=args.max_epochs,
        accumulate_grad_batches=args.accumulate_grad_batches,
        gradient_clip_val=1.0,
    )
    trainer.fit(harnessed_model, data_loader)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokenizer_path", type=str, required=True)
    parser.add_argument("--train_data_path", type=str, required=True)
    parser.add_argument("--batch_size", type=int, default=6)
    parser.add_argument("--max_epochs", type=int, default=5)
    parser.add_argument("--accumulate_grad_batches", type=int, default=1)
    parser.add_argument("--num_gpus", type=int, default=16)
    parser.add_argument("--learning_rate", type=float, default=5e-5)
    parser.add_argument("--warmup_fraction", type=float, default=0.1)
    main(parser.parse_args())
