import logging

import numpy as np
import torch
from torch.utils.data import DataLoader

from src.models.mask_rcnn import DentalCariesMaskRCNN
from src.data.dataset import DentalCariesDataset


def collate_fn(batch):
    return tuple(zip(*batch))


def train_with_gradient_accumulation(model, images, targets, optimizer, scaler, config):
    accumulated_loss = 0
    optimizer.zero_grad(set_to_none=True)
    try:
        with torch.cuda.amp.autocast():
            loss_dict = model(images, targets)
            losses = sum(loss for loss in loss_dict.values())
            loss = losses / config.gradient_accumulation_steps

        scaler.scale(loss).backward()

        scaler.unscale_(optimizer)
        torch.nn.utils.clip_grad_norm_(model.parameters(), config.max_grad_norm)

        accumulated_loss = loss.item() * config.gradient_accumulation_steps
        return accumulated_loss
    except Exception as e:
        logging.error(f"Error in training step: {str(e)}")
        return 0


def memory_efficient_training(config):
    device = torch.device("cuda")
    model = DentalCariesMaskRCNN(num_classes=config.num_classes, hidden_dim=config.hidden_dim)
    model = model.to(device)

    optimizer = torch.optim.AdamW(
        model.parameters(),
        lr=config.learning_rate,
        weight_decay=config.weight_decay,
        eps=config.eps
    )
    scaler = torch.cuda.amp.GradScaler()

    train_dataset = DentalCariesDataset(config.train_data_path, config.train_labels_path, is_training=True)
    train_loader = DataLoader(train_dataset, batch_size=config.batch_size, shuffle=True,
                              num_workers=config.num_workers, collate_fn=collate_fn)

    for epoch in range(config.num_epochs):
        model.train()
        epoch_losses = []
        for batch_idx, (images, targets) in enumerate(train_loader):
            try:
                images = [img.to(device) for img in images]
                targets = [{k: v.to(device) for k, v in t.items()} for t in targets]

                loss = train_with_gradient_accumulation(model, images, targets, optimizer, scaler, config)

                if (batch_idx + 1) % config.gradient_accumulation_steps == 0:
                    scaler.step(optimizer)
                    scaler.update()
                    optimizer.zero_grad(set_to_none=True)

                if loss > 0:
                    epoch_losses.append(loss)
            except Exception as e:
                logging.error(f"Error in batch {batch_idx}: {str(e)}")
                continue
        logging.info(f"Epoch {epoch + 1} average loss: {np.mean(epoch_losses):.4f}")
