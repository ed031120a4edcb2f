import colossalai
import torch
import torch.nn as nn
import torch.optim as optim
from colossalai.core import global_context as gpc
from colossalai.utils import get_dataloader

from Dataload import data_load
from model import discriminator, generator


def main():
    colossalai.launch_from_torch(config="./config_amp.py")
    train_dataset = data_load("facades/", "train", None)
    train_dataloader = get_dataloader(dataset=train_dataset, shuffle=True, batch_size=gpc.config.BATCH_SIZE, pin_memory=True)

    g_model = generator(64)
    d_model = discriminator(64)
    g_model.cuda()
    d_model.cuda()
    BCE_loss = nn.BCEWithLogitsLoss().cuda()
    L1_loss = nn.L1Loss().cuda()

    G_optimizer = optim.Adam(g_model.parameters(), lr=gpc.config.lrG, betas=(gpc.config.beta1, gpc.config.beta2))
    D_optimizer = optim.Adam(d_model.parameters(), lr=gpc.config.lrD, betas=(gpc.config.beta1, gpc.config.beta2))

    G, train_dataloader, _, _ = colossalai.initialize(g_model, G_optimizer, BCE_loss, train_dataloader)
    D, _, _, _ = colossalai.initialize(d_model, D_optimizer, BCE_loss)

    for epoch in range(gpc.config.NUM_EPOCHS):
        G.train()
        D.train()
        for x_, y_ in train_dataloader:
            D.zero_grad()
            x_, y_ = x_.cuda(), y_.cuda()
            G_result = G(x_).detach()
            D_result = D(torch.vstack((x_, x_)), torch.vstack((y_, G_result))).squeeze()
            target = torch.cat((torch.ones_like(D_result[: x_.shape[0]]), torch.zeros_like(D_result[x_.shape[0]:])))
            D_train_loss = D.criterion(D_result, target)
            D.backward(D_train_loss)
            D.step()

            G.zero_grad()
            G_result = G(x_)
            D_result = D(x_, G_result).squeeze()
            G_train_loss = G.criterion(D_result, torch.ones_like(D_result)) + gpc.config.L1_lambda * L1_loss(G_result, y_)
            G.backward(G_train_loss)
            G.step()


if __name__ == "__main__":
    main()
