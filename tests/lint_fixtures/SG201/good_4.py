# nanoGPT's shape done right: the loss is divided by the number of micro-steps inside the
# inner loop; or the gradients are divided once after it.
import torch

gradient_accumulation_steps = 8


def train(model, get_batch, max_iters):
    optimizer = torch.optim.AdamW(model.parameters(), lr=6e-4, weight_decay=0.0)
    for it in range(max_iters):
        for micro_step in range(gradient_accumulation_steps):
            x, y = get_batch("train")
            logits, loss = model(x, y)
            loss = loss / gradient_accumulation_steps
            loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)


def train_dividing_gradients(model, get_batch, max_iters, micro_steps):
    optimizer = torch.optim.AdamW(model.parameters(), lr=6e-4, weight_decay=0.0)
    for it in range(max_iters):
        for i in range(micro_steps):
            x, y = get_batch("train")
            _, loss = model(x, y)
            loss.backward()
        for p in model.parameters():
            p.grad /= micro_steps
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
