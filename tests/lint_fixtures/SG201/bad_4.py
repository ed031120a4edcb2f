# nanoGPT's shape: an inner loop over micro-steps runs the backwards, the step follows it;
# the loss comes out of a tuple and is never divided by the number of micro-steps.
import torch

gradient_accumulation_steps = 8
grad_clip = 1.0


def train(model, get_batch, max_iters, learning_rate=6e-4):
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate)
    scaler = torch.amp.GradScaler("cuda")
    x, y = get_batch("train")
    for it in range(max_iters):
        for micro_step in range(gradient_accumulation_steps):
            with torch.autocast("cuda", dtype=torch.float16):
                logits, loss = model(x, y)
            x, y = get_batch("train")
            scaler.scale(loss).backward()
        if grad_clip != 0.0:
            scaler.unscale_(optimizer)
            torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
        scaler.step(optimizer)
        scaler.update()
        optimizer.zero_grad(set_to_none=True)
