# Seed 003's bug: clip inside the micro-batch loop (function imported by name).
import torch.nn.functional as F
from torch.nn.utils import clip_grad_norm_


def run(model, optimizer, loader, accum_steps=8, total_updates=300, max_norm=1.0):
    it = iter(loader)
    for upd in range(total_updates):
        for _ in range(accum_steps):
            x, y = next(it)
            loss = F.cross_entropy(model(x), y) / accum_steps
            loss.backward()
            clip_grad_norm_(
                model.parameters(),
                max_norm,  # 未分摊前裁剪,等效更严
            )
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
