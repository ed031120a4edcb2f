from transformers import get_cosine_schedule_with_warmup


def get_scheduler(cfg, optimizer, epoch_steps):
    """epoch_steps: number of training batches per epoch."""
    scheduler = get_cosine_schedule_with_warmup(
        optimizer=optimizer,
        num_warmup_steps=cfg.training.warmup_epochs * epoch_steps,
        num_training_steps=cfg.training.epochs * epoch_steps,
    )
    return scheduler
