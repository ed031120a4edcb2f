import argparse

import torch
import torch.nn as nn
import yaml
from peft import LoraConfig, get_peft_model

from otalign.functional.sinkhorn_uot import unbalanced_sinkhorn
from otalign.models.plm_adaptors import get_plm_adaptor_and_configs
from otalign.utils.ddp import get_rank, get_world_size, init_distributed_mode


def train(config_path):
    with open(config_path) as f:
        config = yaml.safe_load(f)
    init_distributed_mode()
    device = torch.device("cuda")
    train_loader = config["make_loader"]()
    plm_adaptor = get_plm_adaptor_and_configs(config["model_name"])
    model = plm_adaptor.model.to(device)
    for param in model.parameters():
        param.requires_grad = False
    lora = dict(config["lora"])
    lora["lora_dropout"] = lora.pop("dropout")
    lora_model = get_peft_model(model, LoraConfig(**lora))
    if get_world_size() > 1:
        lora_model = nn.parallel.DistributedDataParallel(lora_model, device_ids=[get_rank()])
    optimizer = torch.optim.AdamW(lora_model.parameters(), lr=config["lr"])
    for epoch in range(config["epochs"]):
        lora_model.train()
        for i, batch in enumerate(train_loader):
            emb1 = plm_adaptor.encode(batch["seqs1"], device=device)
            emb2 = plm_adaptor.encode(batch["seqs2"], device=device)
            plan = unbalanced_sinkhorn(emb1 @ emb2.transpose(1, 2))
            loss = (plan - batch["gt"].to(device)).abs().sum() + config["loss"]["lambda_pos"] * plan.abs().mean()
            optimizer.zero_grad()
            loss = loss / config.get("gradient_accumulation_steps", 1)
            loss.backward()
            if (i + 1) % config.get("gradient_accumulation_steps", 1) == 0:
                optimizer.step()
                optimizer.zero_grad()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("config_path")
    train(parser.parse_args().config_path)
