import argparse

import numpy as np
import torch

from model import SASRec

parser = argparse.ArgumentParser()
parser.add_argument("--lr", default=0.001, type=float)
parser.add_argument("--l2_emb", default=0.0, type=float)
parser.add_argument("--num_epochs", default=201, type=int)
args = parser.parse_args()



def next_batch():
    raise NotImplementedError


model = SASRec(args)
bce_criterion = torch.nn.BCEWithLogitsLoss()
adam_optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, betas=(0.9, 0.98))

for epoch in range(1, args.num_epochs + 1):
    for step in range(100):
        u, seq, pos, neg = next_batch()
        pos_logits, neg_logits = model(u, seq, pos, neg)
        adam_optimizer.zero_grad()
        indices = np.where(pos != 0)
        loss = bce_criterion(pos_logits[indices], torch.ones_like(pos_logits[indices]))
        loss += bce_criterion(neg_logits[indices], torch.zeros_like(neg_logits[indices]))
        for param in model.item_emb.parameters():
            loss += args.l2_emb * torch.norm(param)
        loss.backward()
        adam_optimizer.step()
