from accelerate import Accelerator
from torch.optim.lr_scheduler import ReduceLROnPlateau


def train_model(args, config, model, train_loader, make_optimizer, compute_loss, validate):
    accelerator = Accelerator()
    optimizer = make_optimizer(config, model)
    scheduler = ReduceLROnPlateau(optimizer, "max", patience=config.training.patience,
                                  factor=config.training.reduce_factor)
    model, optimizer, train_loader, scheduler = accelerator.prepare(model, optimizer, train_loader, scheduler)
    for epoch in range(config.training.num_epochs):
        model.train()
        for i, (batch, mixes) in enumerate(train_loader):
            loss = compute_loss(model, mixes, batch)
            accelerator.backward(loss)
            if config.training.grad_clip:
                accelerator.clip_grad_norm_(model.parameters(), config.training.grad_clip)
            optimizer.step()
            optimizer.zero_grad()
        sdr_avg = validate(model)
        if accelerator.is_main_process:
            scheduler.step(sdr_avg)
