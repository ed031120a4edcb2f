# Lightning Fabric in a hand-written window: `fabric.backward(loss)` is a plain backward (Fabric
# does not know about the window), and the mean loss is never divided.
import lightning as L
import torch

micro_batch_size = 4
batch_size = 64
gradient_accumulation_iters = batch_size // micro_batch_size


def loss_fn(logits, targets):
    return torch.nn.functional.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


def train(fabric, model, optimizer, loader, max_iters):
    for iter_num, (input_ids, targets) in enumerate(loader):
        logits = model(input_ids)
        loss = loss_fn(logits, targets)
        fabric.backward(loss)
        if (iter_num + 1) % gradient_accumulation_iters == 0:
            optimizer.step()
            optimizer.zero_grad()


def main(model, loader):
    fabric = L.Fabric(devices=1, precision="bf16-mixed")
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.0)
    model, optimizer = fabric.setup(model, optimizer)
    train(fabric, model, optimizer, loader, 1000)
