import torch
import torch.nn.functional as F


def train_step(model, train_iter, optimizer, lr_scheduler, t_config):
    model.train()
    total_loss = 0.0
    mixed_precision = t_config["mixed_precision_training"]
    accum_grad_steps = t_config["accum_grad_steps"]
    max_grad_norm = t_config["max_grad_norm"]
    mp_dtype = torch.float16 if t_config["mp_dtype"] == "fp16" else torch.bfloat16

    if mixed_precision:
        scaler = torch.cuda.amp.GradScaler()
    else:
        scaler = None

    for _ in range(accum_grad_steps):
        x, y_in, y_out = next(train_iter)
        x, y_in, y_out = x.to(model.device), y_in.to(model.device), y_out.to(model.device)
        with torch.autocast(device_type="cuda", enabled=mixed_precision, dtype=mp_dtype):
            audio_features = model.embed_audio(x)
            logits = model.logits(y_in, audio_features=audio_features)
            loss = F.cross_entropy(logits.transpose(1, 2), y_out)
            loss = loss / accum_grad_steps
        if scaler:
            scaler.scale(loss).backward()
        else:
            loss.backward()
        total_loss += loss.item()

    if scaler:
        scaler.unscale_(optimizer)

    torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)

    if scaler:
        scaler.step(optimizer)
        lr_scheduler.step()
        scaler.update()
    else:
        optimizer.step()
        lr_scheduler.step()

    optimizer.zero_grad()
    return total_loss
