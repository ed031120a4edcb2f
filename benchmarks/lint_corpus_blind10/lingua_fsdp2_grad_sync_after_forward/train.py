from dataclasses import dataclass

import torch
from lingua.optim import build_optimizer
from lingua.distributed import parallelize_model
from apps.main.transformer import LMTransformer


@dataclass
class TrainState:
    step: int
    acc_step: int


def train(args, world_mesh, data_loader):
    with torch.device("meta"):
        model = LMTransformer(args.model)
    model = parallelize_model(model, world_mesh, args.model, args.distributed)
    model = model.to_empty(device="cuda")
    model.init_weights()

    optimizer, scheduler = build_optimizer(model, args.optim, args.steps)
    train_state = TrainState(step=0, acc_step=0)

    model.train()
    while train_state.step < args.steps:
        train_state.acc_step += 1
        train_state.acc_step = train_state.acc_step % args.grad_acc_steps

        batch = torch.tensor(next(data_loader), dtype=torch.long)
        input_ids = batch[:, :, 0].cuda()
        labels = batch[:, :, 1].cuda()

        loss = model(input_ids, labels)

        if args.grad_acc_steps > 1:
            model.set_requires_gradient_sync(train_state.acc_step == 0)

        loss = loss / args.grad_acc_steps
        loss.backward()
        loss = loss.detach() * args.grad_acc_steps

        grad_norm = -1.0
        if train_state.acc_step == 0:
            grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=args.optim.clip, foreach=True)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            train_state.step += 1
    return grad_norm
