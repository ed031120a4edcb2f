r"""Detection training; the defaults are tuned for 8 GPUs with 2 images each (--lr 0.02 --batch-size 2)."""
import torch
import torchvision

import utils
from engine import evaluate, train_one_epoch


def main(args):
    utils.init_distributed_mode(args)
    device = torch.device(args.device)
    data_loader, data_loader_test = utils.make_loaders(args)

    model = torchvision.models.detection.__dict__[args.model](num_classes=91, pretrained=args.pretrained)
    model.to(device)
    model_without_ddp = model
    if args.distributed:
        model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[args.gpu])
        model_without_ddp = model.module

    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.SGD(params, lr=args.lr, momentum=args.momentum, weight_decay=args.weight_decay)
    lr_scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=args.lr_steps, gamma=args.lr_gamma)

    for epoch in range(args.start_epoch, args.epochs):
        train_one_epoch(model, optimizer, data_loader, device, epoch, args.print_freq)
        lr_scheduler.step()
        evaluate(model, data_loader_test, device=device)
        utils.save_on_master({"model": model_without_ddp.state_dict(), "optimizer": optimizer.state_dict()},
                             f"{args.output_dir}/model_{epoch}.pth")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="maskrcnn_resnet50_fpn")
    parser.add_argument("--device", default="cuda")
    parser.add_argument("-b", "--batch-size", default=2, type=int)
    parser.add_argument("--epochs", default=26, type=int)
    parser.add_argument("--lr", default=0.02, type=float)
    parser.add_argument("--momentum", default=0.9, type=float)
    parser.add_argument("--wd", "--weight-decay", default=1e-4, type=float, dest="weight_decay")
    parser.add_argument("--lr-steps", default=[16, 22], nargs="+", type=int)
    parser.add_argument("--lr-gamma", default=0.1, type=float)
    parser.add_argument("--print-freq", default=20, type=int)
    parser.add_argument("--output-dir", default=".")
    parser.add_argument("--start_epoch", default=0, type=int)
    parser.add_argument("--pretrained", action="store_true")
    main(parser.parse_args())
