import argparse
import functools
import os

import torch
import yaml
from torch import distributed, optim
from torch.distributed.fsdp import FullyShardedDataParallel as FSDP
from torch.distributed.fsdp import MixedPrecision
from torch.distributed.fsdp.wrap import transformer_auto_wrap_policy
from transformers.models.gpt2.modeling_gpt2 import GPT2Block

from gpt2 import get_model
from label import LabelBuffer, download_labels
from policy import Policy


def train(config):
    local_rank = int(os.environ["LOCAL_RANK"])
    rank = int(os.environ["RANK"])
    world_size = int(os.environ["WORLD_SIZE"])
    distributed.init_process_group("nccl")
    torch.cuda.set_device(rank)
    device = torch.cuda.current_device()
    data_buffer = LabelBuffer(download_labels(config["task"]["name"], download=(local_rank == 0)))
    wrap = functools.partial(transformer_auto_wrap_policy, transformer_layer_cls={GPT2Block})
    bf16 = MixedPrecision(param_dtype=torch.bfloat16, reduce_dtype=torch.bfloat16, buffer_dtype=torch.bfloat16)
    policy_ref = Policy(FSDP(get_model(config), auto_wrap_policy=wrap, mixed_precision=bf16, use_orig_params=True, device_id=device), config, False, device)
    policy_ref.lm_model.eval()
    policy = Policy(FSDP(get_model(config), auto_wrap_policy=wrap, mixed_precision=bf16, use_orig_params=True, device_id=device), config, True, device)
    policy.lm_model.train()

    optimizer = optim.Adam(policy.lm_model.parameters(), lr=config["lr"])
    local_total, local_batch_size = len(data_buffer) // world_size, config["batch_size"] // world_size

    for i in range(config["epoch"]):
        order = rank * local_total + torch.randperm(local_total)
        for j in range(local_total // local_batch_size):
            idx = order[j * local_batch_size : j * local_batch_size + local_batch_size]
            batch, win_idx, lose_idx = data_buffer.get_batch(idx)
            batch, win_idx, lose_idx = batch.to(device), win_idx.to(device), lose_idx.to(device)
            loss = policy.loss(policy_ref, batch, win_idx, lose_idx)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    distributed.destroy_process_group()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--config_file", "-cfg", type=str, default="config/gpt2_small_hf.yaml")
    args = parser.parse_args()
    with open(args.config_file, "r") as f:
        config = yaml.load(f, Loader=yaml.SafeLoader)
    train(config)


if __name__ == "__main__":
    main()
