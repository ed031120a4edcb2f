"""Paraphrase of main.py (younggyoseo/vae-cf-pytorch): Mult-VAE / Mult-DAE on MovieLens-20M."""
import argparse

import torch
import torch.optim as optim

import models

parser = argparse.ArgumentParser(description="PyTorch Autoencoders for Collaborative Filtering")
parser.add_argument("--shallow", action="store_true")
parser.add_argument("--lr", type=float, default=1e-4)
parser.add_argument("--wd", type=float, default=0.00, help="weight decay coefficient")
parser.add_argument("--batch_size", type=int, default=500)
parser.add_argument("--epochs", type=int, default=200)
parser.add_argument("--total_anneal_steps", type=int, default=200000)
parser.add_argument("--anneal_cap", type=float, default=0.2)
args = parser.parse_args()

n_items = 20108
if args.shallow:
    model = models.MultiSAE(n_items)
    optimizer = optim.Adam(model.parameters(), lr=1e-3, weight_decay=args.wd)
    criterion = models.rmse_loss
else:
    model = models.MultiVAE([200, 600, n_items])
    optimizer = optim.Adam(model.parameters(), lr=1e-3, weight_decay=args.wd)
    criterion = models.vae_loss

update_count = 0


def train(batches):
    global update_count
    model.train()
    for data in batches:
        anneal = min(args.anneal_cap, 1.0 * update_count / args.total_anneal_steps)
        optimizer.zero_grad()
        recon_batch, mu, logvar = model(data)
        loss = criterion(recon_batch, data, mu, logvar, anneal)
        loss.backward()
        optimizer.step()
        update_count += 1
