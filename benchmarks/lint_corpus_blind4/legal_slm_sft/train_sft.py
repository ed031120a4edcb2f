import math
import random

import modal

import config

app = modal.App("slm-125m-sft-train")


@app.function(gpu="L4", timeout=60 * 40)
def sft(epochs: float = 3.0, lr: float = 3e-5, batch_size: int = 32, weight_decay: float = 0.01, warmup_frac: float = 0.03, seed: int = 1337) -> dict:
    import torch
    from transformers import AutoModelForCausalLM

    device = "cuda"
    train = config.load_split("train")
    model = AutoModelForCausalLM.from_pretrained(config.BASE_CKPT_DIR, torch_dtype=torch.float32).to(device)
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, betas=(0.9, 0.999), weight_decay=weight_decay)

    steps_per_epoch = math.ceil(len(train) / batch_size)
    total_steps = int(steps_per_epoch * epochs)
    warmup = max(5, int(total_steps * warmup_frac))

    def lr_at(step):
        if step < warmup:
            return lr * (step + 1) / warmup
        prog = (step - warmup) / max(1, total_steps - warmup)
        return 0.5 * lr * (1 + math.cos(math.pi * min(1.0, prog)))

    rng = random.Random(seed)
    step = 0
    for ep in range(math.ceil(epochs)):
        order = list(range(len(train)))
        rng.shuffle(order)
        for i in range(0, len(train), batch_size):
            if step >= total_steps:
                break
            x, y, m = config.collate([train[j] for j in order[i:i + batch_size]], device)
            cur_lr = lr_at(step)
            for g in optimizer.param_groups:
                g["lr"] = cur_lr
            optimizer.zero_grad(set_to_none=True)
            with torch.autocast("cuda", dtype=torch.bfloat16):
                loss = model(input_ids=x, attention_mask=m, labels=y).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            step += 1
    return {"steps": step}


@app.local_entrypoint()
def run(epochs: float = 3.0, lr: float = 3e-5):
    sft.remote(epochs=epochs, lr=lr)
