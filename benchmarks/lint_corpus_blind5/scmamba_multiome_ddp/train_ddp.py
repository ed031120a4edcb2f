import argparse
import json

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch import optim
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, DistributedSampler

from scmamba2.dataset.dataset import MultiomeModule
from scmamba2.loss import CLIPLoss
from scmamba2.models import MambaConfig, scMambaLMHeadModel


def main(rank, world_size, args):
    dist.init_process_group("nccl", rank=rank, world_size=world_size)
    torch.cuda.set_device(rank)
    with open(args.config) as f:
        config = MambaConfig(**json.load(f))
    model = scMambaLMHeadModel(config=config, patch_size=512, device=rank).to(rank)
    ddp_model = DDP(model, device_ids=[rank])
    criterion = CLIPLoss(requires_grad=True, logit_scale=args.logit_scale)
    optimizer = optim.AdamW(ddp_model.parameters(), lr=args.lr, weight_decay=args.weight_decay)

    dm = MultiomeModule(args.data_dir)
    dm.setup(stage="fit")
    sampler = DistributedSampler(dm.train_dataset, num_replicas=world_size, rank=rank)
    loader = DataLoader(dm.train_dataset, batch_size=args.batch_size, sampler=sampler)

    ddp_model.train()
    for i, (rna, atac) in enumerate(loader):
        rna, atac = rna.float().to(rank), atac.float().to(rank)
        optimizer.zero_grad()
        out = ddp_model(rna, atac, num_last_tokens=1)
        loss, _ = criterion(out.logits_omics_1, out.logits_omics_2)
        loss.backward()
        optimizer.step()
    dist.destroy_process_group()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch_size", type=int, default=128)
    parser.add_argument("--data_dir", type=str, default="datasets/multiome/PBMC10k.h5mu")
    parser.add_argument("--config", type=str, default="mamba2attn_config.json")
    parser.add_argument("--lr", type=float, default=1.5e-4)
    parser.add_argument("--weight_decay", type=float, default=0.05)
    parser.add_argument("--logit_scale", type=float, default=1)
    parser.add_argument("--world_size", type=int, default=2)
    args = parser.parse_args()
    mp.spawn(main, args=(args.world_size, args), nprocs=args.world_size, join=True)
