import argparse

import torch
import torch.nn.functional as F
import torch.optim as optim

from dataloaders import make_data_loader
from models.build_model_hybrid import HybridStereoNet


def obtain_train_args():
    parser = argparse.ArgumentParser(description="stereo training")
    parser.add_argument("--maxdisp", type=int, default=192)
    parser.add_argument("--accum_iter", type=int, default=1)
    parser.add_argument("--nEpochs", type=int, default=2048)
    parser.add_argument("--solver", default="adam", choices=["adam", "sgd"])
    parser.add_argument("--lr", type=float, default=0.001)
    parser.add_argument("--milestones", default=[30, 50, 300], nargs="*")
    return parser.parse_args()


opt = obtain_train_args()
training_data_loader, testing_data_loader = make_data_loader(opt)
model = torch.nn.DataParallel(HybridStereoNet(opt)).cuda()

if opt.solver == "adam":
    optimizer = optim.Adam(model.parameters(), lr=opt.lr, betas=(0.9, 0.999))
elif opt.solver == "sgd":
    optimizer = optim.SGD(model.parameters(), lr=opt.lr, momentum=0.9)

scheduler = optim.lr_scheduler.MultiStepLR(optimizer, milestones=opt.milestones, gamma=0.5)


def train(epoch):
    for iteration, batch in enumerate(training_data_loader):
        input1, input2, target = batch[0].cuda(), batch[1].cuda(), batch[2].cuda()
        target = torch.squeeze(target, 1)
        mask = target < opt.maxdisp
        if mask.sum() > 0:
            model.train()
            optimizer.zero_grad()
            disp = model(input1, input2)
            loss = F.smooth_l1_loss(disp[mask], target[mask], reduction="mean")
            loss = loss / opt.accum_iter
            loss.backward()
            if ((iteration + 1) % opt.accum_iter == 0) or (iteration + 1 == len(training_data_loader)):
                optimizer.step()


if __name__ == "__main__":
    for epoch in range(1, opt.nEpochs + 1):
        train(epoch)
        scheduler.step()
