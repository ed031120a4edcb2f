import torch

from config import _C as config
from lr_scheduler import build_scheduler
from optimizer import build_optimizer
from utils import NativeScalerWithGradNormCount


def main(config):
    data_loader_train = build_loader(config)
    model = build_model(config).cuda()
    optimizer = build_optimizer(config, model)
    model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[config.LOCAL_RANK])
    loss_scaler = NativeScalerWithGradNormCount()
    if config.TRAIN.ACCUMULATION_STEPS > 1:
        lr_scheduler = build_scheduler(config, optimizer, len(data_loader_train) // config.TRAIN.ACCUMULATION_STEPS)
    else:
        lr_scheduler = build_scheduler(config, optimizer, len(data_loader_train))
    criterion = torch.nn.CrossEntropyLoss()
    for epoch in range(config.TRAIN.EPOCHS):
        train_one_epoch(config, model, criterion, data_loader_train, optimizer, epoch, lr_scheduler, loss_scaler)


def train_one_epoch(config, model, criterion, data_loader, optimizer, epoch, lr_scheduler, loss_scaler):
    model.train()
    optimizer.zero_grad()
    num_steps = len(data_loader)
    for idx, (samples, targets) in enumerate(data_loader):
        with torch.cuda.amp.autocast(enabled=config.AMP_ENABLE):
            outputs = model(samples.cuda(non_blocking=True))
        loss = criterion(outputs, targets.cuda(non_blocking=True))
        loss = loss / config.TRAIN.ACCUMULATION_STEPS
        grad_norm = loss_scaler(loss, optimizer, clip_grad=config.TRAIN.CLIP_GRAD,
                                parameters=model.parameters(),
                                update_grad=(idx + 1) % config.TRAIN.ACCUMULATION_STEPS == 0)
        if (idx + 1) % config.TRAIN.ACCUMULATION_STEPS == 0:
            optimizer.zero_grad()
            lr_scheduler.step_update((epoch * num_steps + idx) // config.TRAIN.ACCUMULATION_STEPS)


def build_loader(config):
    raise NotImplementedError


def build_model(config):
    raise NotImplementedError


if __name__ == "__main__":
    main(config)
