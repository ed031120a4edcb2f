import torch

from train.metrics import MAE


def train_epoch_sparse(model, optimizer, device, data_loader, epoch):
    model.train()
    epoch_loss = 0.0
    for it, (graphs, targets) in enumerate(data_loader):
        graphs, targets = graphs.to(device), targets.to(device)
        optimizer.zero_grad()
        scores = model.forward(graphs, graphs.ndata["feat"].to(device), graphs.edata["feat"].to(device))
        loss = model.loss(scores, targets)
        loss.backward()
        optimizer.step()
        epoch_loss += loss.detach().item()
    return epoch_loss / (it + 1), optimizer


def train_epoch_dense(model, optimizer, device, data_loader, epoch, batch_size):
    # the dense WL-GNNs take one graph per iteration; a "batch" is batch_size graphs accumulated
    model.train()
    epoch_loss = 0.0
    epoch_mae = 0.0
    optimizer.zero_grad()
    for it, (x_no_edge_feat, x_with_edge_feat, targets) in enumerate(data_loader):
        if x_no_edge_feat is not None:
            x_no_edge_feat = x_no_edge_feat.to(device)
        if x_with_edge_feat is not None:
            x_with_edge_feat = x_with_edge_feat.to(device)
        targets = targets.to(device)
        scores = model.forward(x_no_edge_feat, x_with_edge_feat)
        loss = model.loss(scores, targets)
        loss.backward()

        if not (it % batch_size):
            optimizer.step()
            optimizer.zero_grad()

        epoch_loss += loss.detach().item()
        epoch_mae += MAE(scores, targets)
    return epoch_loss / (it + 1), optimizer


@torch.no_grad()
def evaluate_network_sparse(model, device, data_loader, epoch):
    model.eval()
    total = 0.0
    for it, (graphs, targets) in enumerate(data_loader):
        scores = model.forward(graphs.to(device), graphs.ndata["feat"].to(device), graphs.edata["feat"].to(device))
        total += model.loss(scores, targets.to(device)).item()
    return total / (it + 1)
