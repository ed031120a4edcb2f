import argparse
from contextlib import nullcontext

import torch

from utils.training_utils import get_lr

parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float, default=5e-4)
parser.add_argument("--weight_decay", type=float, default=1e-2)
parser.add_argument("--epochs", type=int, default=300)
args = parser.parse_args()

device = "cuda" if torch.cuda.is_available() else "cpu"
dtype = "bfloat16"
ptdtype = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}[dtype]
warmup_iters, min_lr = 125, 1e-6
max_iters = len(train_data) * args.epochs

model = torch.nn.DataParallel(get_model(args))
model.to(device)
model.train()
scaler = torch.cuda.amp.GradScaler(enabled=(dtype == "float16"))
optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.0)
ctx = nullcontext() if device == "cpu" else torch.amp.autocast(device_type="cuda", dtype=ptdtype)

num_iters = 0
for ep in range(args.epochs):
    for x, y, attn_mask in train_loader:
        x, y, attn_mask = x.to(device), y.to(device), attn_mask.to(device)
        lr = get_lr(num_iters, args.lr, warmup_iters, max_iters, min_lr)
        for group in optimizer.param_groups:
            group["lr"] = lr
        with ctx:
            logits, loss, accs = model(x, y, attn_mask)
        loss = loss.mean()
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
        optimizer.zero_grad(set_to_none=True)
        num_iters += 1
