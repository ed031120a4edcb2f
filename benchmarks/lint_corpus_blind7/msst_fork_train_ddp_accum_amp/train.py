import torch
import torch.nn as nn


def train_one_epoch(model, config, optimizer, device, use_amp, scaler, scheduler,
                    gradient_accumulation_steps, train_loader, multi_loss):
    model.train()
    for i, (batch, mixes) in enumerate(train_loader):
        x, y = mixes.to(device), batch.to(device)
        with torch.cuda.amp.autocast(enabled=use_amp):
            loss = multi_loss(model(x), y, x)
        loss /= gradient_accumulation_steps
        scaler.scale(loss).backward()
        if ((i + 1) % gradient_accumulation_steps == 0) or (i == len(train_loader) - 1):
            scaler.unscale_(optimizer)
            if config.training.grad_clip:
                nn.utils.clip_grad_norm_(model.parameters(), config.training.grad_clip)
            scaler.step(optimizer)
            scaler.update()
            if scheduler.name in ["linear_scheduler", "cosine_scheduler"]:
                scheduler.step()
            optimizer.zero_grad(set_to_none=True)


def train_model(args, rank=None, world_size=None):
    model, config = get_model_from_config(args.model_type, args.config_path)
    use_amp = getattr(config.training, "use_amp", True)
    train_loader = prepare_data(config, args, config.training.batch_size)
    if world_size:
        device = torch.device(f"cuda:{rank}")
        model.to(device)
        model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[rank], find_unused_parameters=True)
    else:
        device = torch.device("cuda:0")
        model.to(device)
    gradient_accumulation_steps = int(getattr(config.training, "gradient_accumulation_steps", 1))
    optimizer = get_optimizer(config, model)
    scheduler = get_scheduler(config, optimizer)
    scaler = torch.cuda.amp.GradScaler()
    for epoch in range(config.training.num_epochs):
        if world_size:
            train_loader.sampler.set_epoch(epoch)
        train_one_epoch(model, config, optimizer, device, use_amp, scaler, scheduler,
                        gradient_accumulation_steps, train_loader, choice_loss(args, config))
        metric_avg = validate(model, args, config)
        if scheduler.name in ["ReduceLROnPlateau"]:
            scheduler.step(metric_avg)
