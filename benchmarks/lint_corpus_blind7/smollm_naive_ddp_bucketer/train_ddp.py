import torch
from torch.optim import AdamW
from transformers import AutoModelForCausalLM, get_linear_schedule_with_warmup

from ddp import GradientBucketer, broadcast_model
from utils import DTYPE, GRAD_ACCUM_STEPS, LR, MAX_GRAD_NORM, NUM_EPOCHS, USE_AMP, WARMUP_RATIO, WEIGHT_DECAY


def main(device, loader, sampler):
    model = AutoModelForCausalLM.from_pretrained(MODEL_NAME).to(device)
    broadcast_model(model)
    bucketer = GradientBucketer(model, bucket_size_mb=25)
    optimizer = AdamW(model.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)
    steps_per_epoch = (len(loader) + GRAD_ACCUM_STEPS - 1) // GRAD_ACCUM_STEPS
    total_steps = steps_per_epoch * NUM_EPOCHS
    scheduler = get_linear_schedule_with_warmup(optimizer, int(total_steps * WARMUP_RATIO), total_steps)
    scaler = torch.amp.GradScaler("cuda", enabled=USE_AMP and DTYPE == torch.float16)
    optimizer.zero_grad(set_to_none=True)
    for epoch in range(NUM_EPOCHS):
        sampler.set_epoch(epoch)
        for it, batch in enumerate(loader):
            with torch.amp.autocast("cuda", enabled=USE_AMP, dtype=DTYPE):
                loss = model(**batch).loss / GRAD_ACCUM_STEPS
            if (it + 1) % GRAD_ACCUM_STEPS != 0:
                with bucketer.no_sync():
                    if scaler.is_enabled():
                        scaler.scale(loss).backward()
                    else:
                        loss.backward()
            else:
                if scaler.is_enabled():
                    scaler.scale(loss).backward()
                else:
                    loss.backward()
            if (it + 1) % GRAD_ACCUM_STEPS == 0:
                if scaler.is_enabled():
                    scaler.unscale_(optimizer)
                bucketer.wait_for_all_reduces()
                bucketer.reset()
                torch.nn.utils.clip_grad_norm_(model.parameters(), MAX_GRAD_NORM)
                if scaler.is_enabled():
                    scaler.step(optimizer)
                    scaler.update()
                else:
                    optimizer.step()
                scheduler.step()
                optimizer.zero_grad(set_to_none=True)
