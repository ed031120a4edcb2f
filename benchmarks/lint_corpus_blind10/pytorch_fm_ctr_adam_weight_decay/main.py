import torch
from torch.utils.data import DataLoader

from torchfm.layers import FactorizationMachineModel


def get_model(name, field_dims):
    if name == "fm":
        return FactorizationMachineModel(field_dims, embed_dim=16)
    raise ValueError("unknown model name: " + name)


def train(model, optimizer, data_loader, criterion, device):
    model.train()
    for i, (fields, target) in enumerate(data_loader):
        fields, target = fields.to(device), target.to(device)
        y = model(fields)
        loss = criterion(y, target.float())
        model.zero_grad()
        loss.backward()
        optimizer.step()


def main(dataset, model_name, epoch, learning_rate, batch_size, weight_decay, device):
    device = torch.device(device)
    train_data_loader = DataLoader(dataset, batch_size=batch_size, num_workers=8)
    model = get_model(model_name, dataset.field_dims).to(device)
    criterion = torch.nn.BCELoss()
    optimizer = torch.optim.Adam(params=model.parameters(), lr=learning_rate, weight_decay=weight_decay)
    for _ in range(epoch):
        train(model, optimizer, train_data_loader, criterion, device)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset_name", default="criteo")
    parser.add_argument("--model_name", default="fm")
    parser.add_argument("--epoch", type=int, default=15)
    parser.add_argument("--learning_rate", type=float, default=0.001)
    parser.add_argument("--batch_size", type=int, default=2048)
    parser.add_argument("--weight_decay", type=float, default=1e-6)
    parser.add_argument("--device", default="cuda:0")
    args = parser.parse_args()
    main(None, args.model_name, args.epoch, args.learning_rate, args.batch_size, args.weight_decay, args.device)
