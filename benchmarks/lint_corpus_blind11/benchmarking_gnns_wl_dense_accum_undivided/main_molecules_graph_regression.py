import argparse
import json
from functools import partial

import torch.optim as optim
from torch.utils.data import DataLoader

from data.data import LoadData
from nets.molecules_graph_regression.load_net import gnn_model


def train_val_pipeline(MODEL_NAME, dataset, params, net_params):
    model = gnn_model(MODEL_NAME, net_params).to(net_params["device"])
    optimizer = optim.Adam(model.parameters(), lr=params["init_lr"], weight_decay=params["weight_decay"])
    scheduler = optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="min", factor=params["lr_reduce_factor"], patience=params["lr_schedule_patience"])

    if MODEL_NAME in ["RingGNN", "3WLGNN"]:
        from train.train_molecules_graph_regression import evaluate_network_sparse as evaluate_network
        from train.train_molecules_graph_regression import train_epoch_dense as train_epoch

        train_loader = DataLoader(dataset.train, shuffle=True, collate_fn=partial(dataset.collate_dense_gnn, edge_feat=False))
    else:
        from train.train_molecules_graph_regression import evaluate_network_sparse as evaluate_network
        from train.train_molecules_graph_regression import train_epoch_sparse as train_epoch

        train_loader = DataLoader(dataset.train, batch_size=params["batch_size"], shuffle=True, collate_fn=dataset.collate)
    val_loader = DataLoader(dataset.val, batch_size=params["batch_size"], shuffle=False, collate_fn=dataset.collate)

    for epoch in range(params["epochs"]):
        if MODEL_NAME in ["RingGNN", "3WLGNN"]:
            _, optimizer = train_epoch(model, optimizer, net_params["device"], train_loader, epoch, params["batch_size"])
        else:
            _, optimizer = train_epoch(model, optimizer, net_params["device"], train_loader, epoch)
        val_loss = evaluate_network(model, net_params["device"], val_loader, epoch)
        scheduler.step(val_loss)
        if optimizer.param_groups[0]["lr"] < params["min_lr"]:
            break


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--config")
    parser.add_argument("--weight_decay")
    args = parser.parse_args()
    with open(args.config) as f:
        config = json.load(f)
    params = config["params"]
    if args.weight_decay is not None:
        params["weight_decay"] = float(args.weight_decay)
    net_params = config["net_params"]
    net_params["device"] = "cuda"
    train_val_pipeline(config["model"], LoadData(config["dataset"]), params, net_params)


if __name__ == "__main__":
    main()
