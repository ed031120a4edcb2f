import argparse

import torch
import torch.optim as optim
from torch.nn.modules.loss import CrossEntropyLoss

from networks.net_factory import net_factory
from utils import losses, ramps

parser = argparse.ArgumentParser()
parser.add_argument("--model", type=str, default="unet")
parser.add_argument("--max_iterations", type=int, default=30000)
parser.add_argument("--base_lr", type=float, default=0.01)
parser.add_argument("--labeled_bs", type=int, default=12)
parser.add_argument("--ema_decay", type=float, default=0.99)
parser.add_argument("--consistency", type=float, default=0.1)
args = parser.parse_args()


def update_ema_variables(model, ema_model, alpha, global_step):
    alpha = min(1 - 1 / (global_step + 1), alpha)
    for ema_param, param in zip(ema_model.parameters(), model.parameters()):
        ema_param.data.mul_(alpha).add_(param.data, alpha=1 - alpha)


def train(args, trainloader):
    base_lr = args.base_lr
    model = net_factory(net_type=args.model, in_chns=1, class_num=4)
    ema_model = net_factory(net_type=args.model, in_chns=1, class_num=4)
    for param in ema_model.parameters():
        param.detach_()

    optimizer = optim.SGD(model.parameters(), lr=base_lr, momentum=0.9, weight_decay=0.0001)
    ce_loss = CrossEntropyLoss()
    dice_loss = losses.DiceLoss(4)

    iter_num = 0
    for epoch_num in range(args.max_iterations // len(trainloader) + 1):
        for i_batch, sampled_batch in enumerate(trainloader):
            volume_batch, label_batch = sampled_batch["image"].cuda(), sampled_batch["label"].cuda()
            outputs = model(volume_batch)
            outputs_soft = torch.softmax(outputs, dim=1)
            with torch.no_grad():
                ema_output_soft = torch.softmax(ema_model(volume_batch[args.labeled_bs:]), dim=1)
            loss_ce = ce_loss(outputs[:args.labeled_bs], label_batch[:args.labeled_bs].long())
            loss_dice = dice_loss(outputs_soft[:args.labeled_bs], label_batch[:args.labeled_bs].unsqueeze(1))
            supervised_loss = 0.5 * (loss_dice + loss_ce)
            consistency_weight = args.consistency * ramps.sigmoid_rampup(iter_num // 150, 200.0)
            consistency_loss = torch.mean((outputs_soft[args.labeled_bs:] - ema_output_soft) ** 2)
            loss = supervised_loss + consistency_weight * consistency_loss
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            update_ema_variables(model, ema_model, args.ema_decay, iter_num)
            lr_ = base_lr * (1.0 - iter_num / args.max_iterations) ** 0.9
            for param_group in optimizer.param_groups:
                param_group["lr"] = lr_
            iter_num = iter_num + 1
