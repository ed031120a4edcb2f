import torch
import torch.nn.functional as F
from torch.cuda.amp import GradScaler

from model import LLM, config
from muon import Muon

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


def split_params(model):
    matrices, gains_biases, seen = [], [], set()
    for block in model.blocks:
        for p in block.parameters():
            if p.requires_grad and id(p) not in seen:
                seen.add(id(p))
                (matrices if p.ndim >= 2 else gains_biases).append(p)
    others = [p for p in [*model.lm_head.parameters(), *model.token_emb.parameters()] if id(p) not in seen]
    return matrices, gains_biases, others


def train(model, batches, epochs, pad_idx):
    model.train().to(device)
    matrices, gains_biases, others = split_params(model)
    param_groups = [
        dict(params=matrices, use_muon=True, lr=0.002, weight_decay=0.01),
        dict(params=gains_biases + others, use_muon=False, lr=3e-4, betas=(0.9, 0.95), weight_decay=0.01),
    ]
    scaler = GradScaler()
    optimizer_adam = Muon(param_groups)
    for epoch in range(epochs):
        for single in batches(epoch):
            single = single.to(device)
            optimizer_adam.zero_grad()
            with torch.cuda.amp.autocast():
                logits, aux_loss = model(single[:, :-1])
                loss = F.cross_entropy(logits.reshape(-1, config.vocab_size), single[:, 1:].reshape(-1), ignore_index=pad_idx)
                loss += 0.0005 * aux_loss
            scaler.scale(loss).backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer_adam.step()


if __name__ == "__main__":
    train(LLM().to(device), config.batches, epochs=10, pad_idx=0)
