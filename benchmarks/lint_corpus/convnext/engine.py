import torch


def train_one_epoch(model, criterion, data_loader, optimizer, device, epoch, loss_scaler, max_norm=0,
                    start_steps=None, lr_schedule_values=None, num_training_steps_per_epoch=None,
                    update_freq=None, use_amp=False):
    model.train(True)
    optimizer.zero_grad()
    for data_iter_step, (samples, targets) in enumerate(data_loader):
        step = data_iter_step // update_freq
        if step >= num_training_steps_per_epoch:
            continue
        it = start_steps + step
        if lr_schedule_values is not None and data_iter_step % update_freq == 0:
            for param_group in optimizer.param_groups:
                param_group["lr"] = lr_schedule_values[it] * param_group["lr_scale"]
        samples = samples.to(device, non_blocking=True)
        targets = targets.to(device, non_blocking=True)
        if use_amp:
            with torch.cuda.amp.autocast():
                output = model(samples)
                loss = criterion(output, targets)
        else:
            output = model(samples)
            loss = criterion(output, targets)
        if use_amp:
            loss /= update_freq
            loss_scaler(loss, optimizer, clip_grad=max_norm, parameters=model.parameters(),
                        update_grad=(data_iter_step + 1) % update_freq == 0)
            if (data_iter_step + 1) % update_freq == 0:
                optimizer.zero_grad()  # after the scaler's step
        else:
            loss /= update_freq
            loss.backward()
            if (data_iter_step + 1) % update_freq == 0:
                optimizer.step()
                optimizer.zero_grad()  # after optimizer.step()
