from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.optim.lr_scheduler as lr_scheduler

from model import Seq2SeqTransformer
from utils.train import evaluate, get_data_loaders, train_epoch


@dataclass
class Config:
    num_encoder_layers: int = 8
    num_decoder_layers: int = 6
    nhead: int = 8
    emb_size: int = 1024
    ffn_hid_dim: int = 1024
    learning_rate: float = 0.0001
    num_train_epochs: int = 45
    label_smoothing: float = 0.05
    scheduler: str = "ReduceLROnPlateau"
    factor: float = 0.1
    patience: int = 5


def train_transformer(config, data_config, train_dataloader, val_dataloader):
    DEVICE = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
    transformer = Seq2SeqTransformer(
        config.num_encoder_layers,
        config.num_decoder_layers,
        config.emb_size,
        config.nhead,
        data_config.source_vocab_size,
        data_config.target_vocab_size,
        config.ffn_hid_dim,
    )
    for p in transformer.parameters():
        if p.dim() > 1:
            nn.init.xavier_uniform_(p)
    transformer = transformer.to(DEVICE)
    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=data_config.target_pad_id, label_smoothing=config.label_smoothing)

    optimizer = torch.optim.AdamW(transformer.parameters(), lr=config.learning_rate)

    if config.scheduler == "StepLR":
        scheduler = lr_scheduler.StepLR(optimizer, step_size=config.step_size, gamma=config.gamma)
    elif config.scheduler == "ReduceLROnPlateau":
        scheduler = lr_scheduler.ReduceLROnPlateau(optimizer, "min", factor=config.factor, patience=config.patience)
    elif config.scheduler == "CosineAnnealingWarmRestarts":
        scheduler = lr_scheduler.CosineAnnealingWarmRestarts(optimizer, T_0=config.T_0, T_mult=config.T_mult)

    for epoch in range(config.num_train_epochs):
        train_loss = train_epoch(transformer, optimizer, train_dataloader, loss_fn, data_config.source_pad_id, data_config.target_pad_id, DEVICE)
        val_loss = evaluate(transformer, val_dataloader, loss_fn, data_config.source_pad_id, data_config.target_pad_id, DEVICE)
        if config.scheduler:
            if isinstance(scheduler, lr_scheduler.ReduceLROnPlateau):
                scheduler.step(val_loss)
            else:
                scheduler.step()


if __name__ == "__main__":
    config = Config()
    train_dataloader, val_dataloader, data_config = get_data_loaders()
    train_transformer(config, data_config, train_dataloader, val_dataloader)
