import argparse

import torch
import torch.nn as nn

from stgcn import STGCN
from utils import generate_dataset, get_normalized_adj, load_metr_la_data

num_timesteps_input = 12
num_timesteps_output = 3
epochs = 1000
batch_size = 50

parser = argparse.ArgumentParser(description="STGCN")
parser.add_argument("--enable-cuda", action="store_true")
args = parser.parse_args()
args.device = torch.device("cuda") if args.enable_cuda and torch.cuda.is_available() else torch.device("cpu")


def train_epoch(training_input, training_target, batch_size):
    permutation = torch.randperm(training_input.shape[0])
    losses = []
    for i in range(0, training_input.shape[0], batch_size):
        net.train()
        optimizer.zero_grad()
        indices = permutation[i:i + batch_size]
        X_batch, y_batch = training_input[indices].to(args.device), training_target[indices].to(args.device)
        out = net(A_wave, X_batch)
        loss = loss_criterion(out, y_batch)
        loss.backward()
        optimizer.step()
        losses.append(loss.detach().cpu().numpy())
    return sum(losses) / len(losses)


if __name__ == "__main__":
    torch.manual_seed(7)
    A, X, means, stds = load_metr_la_data()
    training_input, training_target = generate_dataset(X[:, :, : int(X.shape[2] * 0.6)], num_timesteps_input=num_timesteps_input, num_timesteps_output=num_timesteps_output)
    A_wave = torch.from_numpy(get_normalized_adj(A)).to(device=args.device)
    net = STGCN(A_wave.shape[0], training_input.shape[3], num_timesteps_input, num_timesteps_output).to(device=args.device)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_criterion = nn.MSELoss()
    for epoch in range(epochs):
        train_epoch(training_input, training_target, batch_size=batch_size)
