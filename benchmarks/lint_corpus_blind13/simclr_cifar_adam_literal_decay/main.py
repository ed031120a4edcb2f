import argparse

import torch
import torch.optim as optim
from torch.utils.data import DataLoader

import utils
from model import Model


def train(net, data_loader, train_optimizer):
    net.train()
    total_loss, total_num = 0.0, 0
    for pos_1, pos_2, target in data_loader:
        pos_1, pos_2 = pos_1.cuda(non_blocking=True), pos_2.cuda(non_blocking=True)
        feature_1, out_1 = net(pos_1)
        feature_2, out_2 = net(pos_2)
        out = torch.cat([out_1, out_2], dim=0)
        sim_matrix = torch.exp(torch.mm(out, out.t().contiguous()) / temperature)
        mask = (torch.ones_like(sim_matrix) - torch.eye(2 * batch_size, device=sim_matrix.device)).bool()
        sim_matrix = sim_matrix.masked_select(mask).view(2 * batch_size, -1)
        pos_sim = torch.exp(torch.sum(out_1 * out_2, dim=-1) / temperature)
        pos_sim = torch.cat([pos_sim, pos_sim], dim=0)
        loss = (-torch.log(pos_sim / sim_matrix.sum(dim=-1))).mean()
        train_optimizer.zero_grad()
        loss.backward()
        train_optimizer.step()
        total_num += batch_size
        total_loss += loss.item() * batch_size
    return total_loss / total_num


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Train SimCLR")
    parser.add_argument("--feature_dim", default=128, type=int)
    parser.add_argument("--temperature", default=0.5, type=float)
    parser.add_argument("--batch_size", default=512, type=int)
    parser.add_argument("--epochs", default=500, type=int)
    args = parser.parse_args()
    feature_dim, temperature = args.feature_dim, args.temperature
    batch_size, epochs = args.batch_size, args.epochs

    train_data = utils.CIFAR10Pair(root="data", train=True, transform=utils.train_transform, download=True)
    train_loader = DataLoader(train_data, batch_size=batch_size, shuffle=True, num_workers=16, drop_last=True)

    model = Model(feature_dim).cuda()
    optimizer = optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-6)

    for epoch in range(1, epochs + 1):
        train_loss = train(model, train_loader, optimizer)
        torch.save(model.state_dict(), "results/model.pth")
