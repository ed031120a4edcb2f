"""GPT-2 LoRA fine-tuning: the model is wrapped by nlg.gpu.distributed_opt and accumulates
`grad_acc` micro-batches per optimizer step, each backward through the DDP model."""

import argparse

import torch

from nlg.gpu import add_gpu_params, distributed_opt, parse_gpu

parser = argparse.ArgumentParser()
add_gpu_params(parser)
parser.add_argument("--grad_acc", type=int, default=4)


def optimizer_step(loss, optimizer, is_update=True):
    loss.backward()
    if is_update:
        optimizer.step()
        optimizer.zero_grad()


def train_validate(model, optimizer, train_loader, args):
    model.train()
    for idx, (x, y) in enumerate(train_loader, 1):
        loss = torch.nn.functional.cross_entropy(model(x), y)
        optimizer_step(loss / args.grad_acc, optimizer, is_update=idx % args.grad_acc == 0)


if __name__ == "__main__":
    args = parser.parse_args()
    parse_gpu(args)
    lm_net = torch.nn.Linear(1024, 1024).cuda()
    optimizer = torch.optim.AdamW([p for p in lm_net.parameters() if p.requires_grad], lr=2e-4, weight_decay=0.0)
    lm_net, optimizer = distributed_opt(args, lm_net, optimizer, grad_acc=args.grad_acc)
    train_validate(lm_net, optimizer, [], args)
