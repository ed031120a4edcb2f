import os

import torch
import torch.nn as nn
from torch.distributed import destroy_process_group, init_process_group
from torch.nn.parallel import DistributedDataParallel

from config_distributed import get_default_config
from dataset import get_ds
from model import build_transformer


def train_model(config):
    device = torch.device("cuda")
    train_dataloader, tokenizer_src, tokenizer_tgt = get_ds(config)
    model = build_transformer(tokenizer_src.get_vocab_size(), tokenizer_tgt.get_vocab_size(), config.seq_len, config.seq_len, d_model=config.d_model).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr, eps=1e-9)
    model = DistributedDataParallel(model, device_ids=[config.local_rank])
    loss_fn = nn.CrossEntropyLoss(ignore_index=tokenizer_src.token_to_id("[PAD]"), label_smoothing=0.1).to(device)
    for epoch in range(config.num_epochs):
        model.train()
        for batch in train_dataloader:
            proj_output = model(batch["encoder_input"].to(device), batch["encoder_mask"].to(device), batch["decoder_input"].to(device), batch["decoder_mask"].to(device))
            label = batch["label"].to(device)
            loss = loss_fn(proj_output.view(-1, tokenizer_tgt.get_vocab_size()), label.view(-1))
            loss.backward()
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)


if __name__ == "__main__":
    config = get_default_config()
    config.local_rank = int(os.environ.get("LOCAL_RANK", 0))
    init_process_group()
    torch.cuda.set_device(config.local_rank)
    train_model(config)
    destroy_process_group()
