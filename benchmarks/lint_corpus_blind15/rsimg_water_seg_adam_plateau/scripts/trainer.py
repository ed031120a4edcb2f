import torch

from model_seg.surface_water.gmnet import gmnet
from model_seg.unet import unet
from scripts import config

device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")


def train_step(model, loss_fn, optimizer, x, y):
    optimizer.zero_grad()
    pred = model(x)
    loss = loss_fn(pred, y.float())
    loss.backward()
    optimizer.step()
    return loss


def train_loops(model, loss_fn, optimizer, tra_loader, epoches, lr_scheduler=None):
    for epoch in range(epoches):
        tra_loss = 0
        for x_batch, y_batch in tra_loader:
            x_batch, y_batch = x_batch.to(device), y_batch.to(device)
            loss = train_step(model=model, loss_fn=loss_fn, optimizer=optimizer, x=x_batch, y=y_batch)
            tra_loss += loss.item()
        if lr_scheduler:
            lr_scheduler.step(tra_loss)


if __name__ == "__main__":
    if config.model_name == "unet":
        model = unet(num_bands=config.num_bands, num_classes=2).to(device)
    else:
        model = gmnet(num_bands=config.num_bands, num_classes=2).to(device)
    tra_loader = build_loader(config.batch_size_tra)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    lr_scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="min", factor=0.6, patience=20)
    train_loops(model, config.loss_bce, optimizer, tra_loader, config.num_epoch, lr_scheduler=lr_scheduler)


def build_loader(batch_size):
    raise NotImplementedError
