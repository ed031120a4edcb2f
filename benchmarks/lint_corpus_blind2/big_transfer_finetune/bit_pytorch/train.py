import numpy as np
import torch

import bit_common
import bit_hyperrule
import models


def recycle(iterable):
    while True:
        for i in iterable:
            yield i


def main(args):
    device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
    micro_batch_size = args.batch // args.batch_split
    train_set = bit_common.train_set(args)
    train_loader = torch.utils.data.DataLoader(train_set, batch_size=micro_batch_size, shuffle=True, drop_last=False)

    model = models.KNOWN_MODELS[args.model](head_size=len(train_set.classes), zero_head=True)
    model = torch.nn.DataParallel(model)
    step = 0

    # Note: no weight-decay!
    optim = torch.optim.SGD(model.parameters(), lr=0.003, momentum=0.9)
    model = model.to(device)
    optim.zero_grad()
    model.train()
    cri = torch.nn.CrossEntropyLoss().to(device)

    accum_steps = 0
    for x, y in recycle(train_loader):
        x = x.to(device, non_blocking=True)
        y = y.to(device, non_blocking=True)

        # the learning rate is a function of the optimizer-step counter
        lr = bit_hyperrule.get_lr(step, len(train_set), args.base_lr)
        if lr is None:
            break
        for param_group in optim.param_groups:
            param_group["lr"] = lr

        logits = model(x)
        c = cri(logits, y)

        # Accumulate grads
        (c / args.batch_split).backward()
        accum_steps += 1

        # Update params
        if accum_steps == args.batch_split:
            optim.step()
            optim.zero_grad()
            step += 1
            accum_steps = 0


if __name__ == "__main__":
    parser = bit_common.argparser(models.KNOWN_MODELS.keys())
    parser.add_argument("--datadir", required=True)
    main(parser.parse_args())
