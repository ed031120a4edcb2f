import apex
import timm
import torch
import torch.nn as nn
import torch.optim as optim
from apex import amp
from apex.parallel import DistributedDataParallel

from cfg import get_cfg
from utils import NormLayer, contrastive_loss


if __name__ == "__main__":
    cfg = get_cfg()
    torch.cuda.set_device(cfg.local_rank)
    torch.distributed.init_process_group(backend="nccl", init_method="env://")
    dl_train = cfg.make_loader()
    model = timm.create_model(cfg.model, pretrained=True)
    model.head = nn.Sequential(nn.Linear(model.head.in_features, cfg.emb), NormLayer())
    model = apex.parallel.convert_syncbn_model(model)
    model.cuda().train()
    optimizer = optim.AdamW(model.parameters(), lr=cfg.lr)
    model, optimizer = amp.initialize(model, optimizer, opt_level="O2")
    model = DistributedDataParallel(model, delay_allreduce=True)
    for ep in range(cfg.ep):
        for x, y in dl_train:
            z = model(x.cuda(non_blocking=True)).view(len(x) // 2, 2, cfg.emb)
            loss0 = contrastive_loss(z[:, 0], z[:, 1], cfg.t, cfg.hyp_c)
            loss1 = contrastive_loss(z[:, 1], z[:, 0], cfg.t, cfg.hyp_c)
            optimizer.zero_grad()
            with amp.scale_loss(loss0 + loss1, optimizer) as scaled_loss:
                scaled_loss.backward()
            optimizer.step()
