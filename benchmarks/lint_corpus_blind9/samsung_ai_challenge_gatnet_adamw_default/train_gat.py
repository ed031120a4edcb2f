import os

import pandas as pd
import torch

from src.loss import RMSELoss
from src.model import GATNet
from src.preprocessing import generate_dataloader
from src.train import train

device = "cuda:0" if torch.cuda.device_count() >= 1 else "cpu"

if __name__ == "__main__":
    PATH = "./dataset/"
    train_df = pd.read_csv(os.path.join(PATH, "train_set.csv"))
    train_loader, valid_loader, _ = generate_dataloader(train_df, mode="train", test_size=None, valid_size=0.2, batch_size=128, pred_col="Multi")
    model = GATNet(num_heads=4, p=0.25, hidden=64, alpha=0.01, embedd_max_norm=1.5, n_layers=4)
    model.to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    loss_fn = RMSELoss()
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=4, gamma=0.95)
    train(train_loader, valid_loader, model, optimizer, scheduler, loss_fn, device, num_epoch=64, verbose=8, root_dir="./weights", best_pt="GATNet_best.pt", last_pt="GATNet_last.pt", max_norm_grad=1.0)
