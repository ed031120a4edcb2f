import torch
from accelerate import Accelerator
from datasets import load_from_disk
from torch.optim import AdamW
from torch.utils.data import DataLoader
from transformers import get_scheduler
from yacs.config import CfgNode as CN

from biozorromodel import BioZorro
from encoders import BioZorroCollator

accelerator = Accelerator(log_with="wandb")

config = CN()
config.epochs = 1
config.batch_size = 2
config.num_warmup_steps = 3000
config.lr_scheduler_type = "cosine"
config.lr = 1e-4
config.hidden_size = 512
config.layers = 20
config.dataset = "/efs-private/multimodal/data/filtered_protein_mrna_genes"

data = load_from_disk(config.dataset).with_format("torch").train_test_split(0.1, seed=42)
train_dl = DataLoader(data["train"], collate_fn=BioZorroCollator(pad_len=1024, pad_token=0), batch_size=config.batch_size, shuffle=True)
model = BioZorro(dim=config.hidden_size, depth=config.layers)

num_training_steps = config.epochs * len(train_dl)
optimizer = AdamW(model.parameters(), lr=config.lr)
lr_scheduler = get_scheduler(name=config.lr_scheduler_type, optimizer=optimizer, num_warmup_steps=config.num_warmup_steps, num_training_steps=num_training_steps)
model, optimizer, train_dl, lr_scheduler = accelerator.prepare(model, optimizer, train_dl, lr_scheduler)

model.train()
for epoch in range(config.epochs):
    for batch in train_dl:
        batch = {k: v.to(accelerator.device) for k, v in batch.items()}
        outputs = model(**batch)
        optimizer.zero_grad()
        loss = outputs.loss
        accelerator.backward(loss)
        optimizer.step()
        lr_scheduler.step()
