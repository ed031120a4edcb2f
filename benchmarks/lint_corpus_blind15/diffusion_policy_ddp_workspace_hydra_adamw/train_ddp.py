import argparse
import os

import hydra
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from omegaconf import OmegaConf


def ddp_setup(rank, world_size, cfg):
    os.environ["MASTER_ADDR"] = "localhost"
    os.environ["MASTER_PORT"] = "12355"
    torch.cuda.set_device(rank)
    dist.init_process_group("nccl", rank=rank, world_size=world_size)
    cfg.rank = rank
    cfg.world_size = world_size
    cls = hydra.utils.get_class(cfg._target_)
    workspace = cls(cfg)
    workspace.run()
    dist.destroy_process_group()


def main(rank, world_size, config_name, config_path):
    with hydra.initialize(version_base=None, config_path=config_path, job_name=str(rank)):
        cfg = hydra.compose(config_name=config_name)
        OmegaConf.resolve(cfg)
        ddp_setup(rank, world_size, cfg)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--world_size", type=int, default=torch.cuda.device_count())
    parser.add_argument("--config_path", type=str, default="./diffusion_policy/config")
    parser.add_argument("--config_name", type=str, default="train_diffusion_unet_real_image_workspace_ddp")
    args = parser.parse_args()
    mp.spawn(main, args=(args.world_size, args.config_name, args.config_path), nprocs=args.world_size, join=True)
