import hydra
from accelerate import Accelerator
from torch.utils.data import DataLoader
from transformers import get_cosine_schedule_with_warmup

from r_delta.sci_model import SciModel
from r_delta.sci_optimizer import get_optimizer


@hydra.main(version_base=None, config_path="conf", config_name="conf_r_delta_k1")
def run_training(cfg, train_ds=None, collator=None):
    train_dl = DataLoader(train_ds, batch_size=cfg.train_params.train_bs, shuffle=True, collate_fn=collator)
    model = SciModel(cfg)
    optimizer = get_optimizer(model, cfg)

    num_epochs = cfg.train_params.num_epochs
    grad_accumulation_steps = cfg.train_params.grad_accumulation
    num_update_steps_per_epoch = len(train_dl) // grad_accumulation_steps
    num_training_steps = num_epochs * num_update_steps_per_epoch
    num_warmup_steps = int(cfg.train_params.warmup_pct * num_training_steps)
    scheduler = get_cosine_schedule_with_warmup(optimizer=optimizer, num_warmup_steps=num_warmup_steps, num_training_steps=num_training_steps)

    if cfg.train_params.use_mixed_precision:
        accelerator = Accelerator(mixed_precision="bf16")
    else:
        accelerator = Accelerator()
    model, optimizer, train_dl = accelerator.prepare(model, optimizer, train_dl)

    for epoch in range(num_epochs):
        model.train()
        for step, batch in enumerate(train_dl):
            logits, loss, loss_dict = model(**batch)
            accelerator.backward(loss)
            if (step + 1) % grad_accumulation_steps == 0:
                accelerator.clip_grad_norm_(model.parameters(), cfg.optimizer.grad_clip_value)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad()


if __name__ == "__main__":
    run_training()
