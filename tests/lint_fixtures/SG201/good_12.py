# apex amp and an fp16 optimizer wrapper, each fed the loss divided by the window length.
from apex import amp
from apex.fp16_utils import FP16_Optimizer


def train_amp(model, optimizer, criterion, loader, accumulation_steps=4):
    model, optimizer = amp.initialize(model, optimizer, opt_level="O1")
    for i, (images, labels) in enumerate(loader):
        loss = criterion(model(images), labels) / accumulation_steps
        with amp.scale_loss(loss, optimizer) as scaled_loss:
            scaled_loss.backward()
        if (i + 1) % accumulation_steps == 0:
            optimizer.step()
            optimizer.zero_grad()


def train_fp16(args, model, base_optimizer, criterion, loader):
    optimizer = FP16_Optimizer(base_optimizer, dynamic_loss_scale=True)
    for i, (x, y) in enumerate(loader):
        loss = criterion(model(x), y)
        if args.gradient_accumulation_steps > 1:
            loss = loss / args.gradient_accumulation_steps
        optimizer.backward(loss)
        if (i + 1) % args.gradient_accumulation_steps == 0:
            optimizer.step()
            optimizer.zero_grad()
