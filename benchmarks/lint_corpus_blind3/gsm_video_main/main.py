import torch
from torch.nn.utils import clip_grad_norm_

import CosineAnnealingLR
from models import VideoModel
from opts import parser


def main(train_loader, num_class):
    global args
    args = parser.parse_args()
    model = VideoModel(num_class=num_class)
    policies = model.get_optim_policies()
    model = torch.nn.DataParallel(model).cuda()
    criterion = torch.nn.CrossEntropyLoss().cuda()
    optimizer = torch.optim.SGD(policies, args.lr, momentum=args.momentum, weight_decay=args.weight_decay)
    lr_scheduler_clr = CosineAnnealingLR.WarmupCosineLR(
        optimizer=optimizer, milestones=[args.warmup, args.epochs], warmup_iters=args.warmup, min_ratio=1e-7
    )
    for epoch in range(args.epochs):
        train(train_loader, model, criterion, optimizer, epoch)
        lr_scheduler_clr.step()


def train(train_loader, model, criterion, optimizer, epoch):
    model.train()
    for i, (input, target) in enumerate(train_loader):
        output = model(input)
        loss = criterion(output, target.cuda()) / args.iter_size
        loss.backward()
        if args.clip_gradient is not None:
            total_norm = clip_grad_norm_(model.parameters(), args.clip_gradient)
        if (i + 1) % args.iter_size == 0:
            optimizer.step()
            optimizer.zero_grad()
