import argparse
import json
import os

import deepspeed
from torch.utils.data import DataLoader

from config import get_deepspeed_config, get_kaggle_config
from dataset import BidirectionalDataset, Collator
from model import ModelConfig, build_transformer


def train_deepspeed(config=None, ds_config=None):
    ds_config = ds_config or get_deepspeed_config()
    config = config or get_kaggle_config()
    train_dataset = BidirectionalDataset(config["train_hf_dataset_path"])
    collate_fn = Collator()
    train_dataloader = DataLoader(train_dataset, batch_size=ds_config["train_batch_size"], shuffle=True, collate_fn=collate_fn)
    if "scheduler" in ds_config and "params" in ds_config["scheduler"]:
        world_size = int(os.environ.get("WORLD_SIZE", 1))
        steps_per_epoch = len(train_dataloader) // world_size
        gradient_accumulation_steps = ds_config.get("gradient_accumulation_steps", 1)
        update_steps_per_epoch = steps_per_epoch // gradient_accumulation_steps
        total_num_steps = update_steps_per_epoch * config["num_epochs"]
        ds_config["scheduler"]["params"]["total_num_steps"] = total_num_steps
        ds_config["scheduler"]["params"]["warmup_num_steps"] = int(total_num_steps * 0.03)
    model = build_transformer(config=ModelConfig())
    model_engine, optimizer, _, _ = deepspeed.initialize(model=model, model_parameters=model.parameters(), training_data=train_dataset, config=ds_config, collate_fn=collate_fn)
    for epoch in range(config["num_epochs"]):
        model_engine.train()
        for step, batch in enumerate(train_dataloader):
            batch = {k: v.to(model_engine.device) for k, v in batch.items()}
            logits, loss_lm, enc_aux_loss, dec_aux_loss = model_engine(batch["src_input_ids"], batch["src_attention_mask"], batch["tgt_input_ids"], batch["tgt_attention_mask"], batch["labels"])
            total_loss = loss_lm + enc_aux_loss + dec_aux_loss
            model_engine.backward(total_loss)
            model_engine.step()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", type=str, required=True)
    parser.add_argument("--ds_config", type=str, required=False)
    parser.add_argument("--local_rank", type=int, default=0)
    args = parser.parse_args()
    with open(args.config) as f:
        config = json.load(f)
    ds_config = None
    if args.ds_config:
        with open(args.ds_config) as f:
            ds_config = json.load(f)
    train_deepspeed(config=config, ds_config=ds_config)
