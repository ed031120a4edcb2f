import torch
from transformers import get_linear_schedule_with_warmup


def main(cfg, model, train_loader):
    training_cfg = cfg.get("training", {})
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    use_amp = device.type == "cuda"
    model = model.to(device)
    num_epochs = training_cfg.get("num_epochs", 3)
    total_steps = len(train_loader) * num_epochs
    warmup_steps = int(total_steps * training_cfg.get("warmup_ratio", 0.1))
    optimizer = torch.optim.AdamW(
        model.parameters(),
        lr=training_cfg.get("learning_rate", 2e-5),
        weight_decay=training_cfg.get("weight_decay", 0.01),
    )
    scheduler = get_linear_schedule_with_warmup(optimizer, warmup_steps, total_steps)
    scaler = torch.cuda.amp.GradScaler(enabled=use_amp)
    for epoch in range(1, num_epochs + 1):
        model.train()
        for step, batch in enumerate(train_loader, 1):
            pixel_values = batch["pixel_values"].to(device)
            labels = batch["labels"].to(device)
            optimizer.zero_grad()
            with torch.amp.autocast(device_type=device.type, enabled=use_amp):
                loss = model(pixel_values=pixel_values, labels=labels).loss
            scaler.scale(loss).backward()
            scaler.unscale_(optimizer)
            torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
            scaler.step(optimizer)
            scaler.update()
            scheduler.step()
