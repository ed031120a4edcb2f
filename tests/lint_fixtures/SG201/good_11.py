# DeepSpeed: the engine divides the loss by its own gradient_accumulation_steps in
# `engine.backward` and steps the optimizer only at the window boundary inside `engine.step()`.
import deepspeed
import torch.nn.functional as F


def train(args, model, loader):
    model_engine, optimizer, _, _ = deepspeed.initialize(
        args=args, model=model, model_parameters=model.parameters()
    )
    for step, (x, y) in enumerate(loader):
        loss = F.cross_entropy(model_engine(x), y)
        model_engine.backward(loss)
        model_engine.step()


def train_with_own_window(model_engine, loader, gradient_accumulation_steps):
    # The same engine driven from a hand-written window still scales inside `backward`.
    for step, (x, y) in enumerate(loader):
        loss = F.cross_entropy(model_engine(x), y)
        model_engine.backward(loss)
        if (step + 1) % gradient_accumulation_steps == 0:
            model_engine.step()
