import argparse

import torch
import yaml

import models
from cfgnode import CfgNode
from train_utils import run_one_iter_of_nerf


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", type=str, required=True)
    configargs = parser.parse_args()
    with open(configargs.config, "r") as f:
        cfg = CfgNode(yaml.load(f, Loader=yaml.FullLoader))

    device = "cuda" if torch.cuda.is_available() else "cpu"
    model_coarse = getattr(models, cfg.models.coarse.type)(hidden_size=cfg.models.coarse.hidden_size)
    model_coarse.to(device)
    model_fine = None
    if hasattr(cfg.models, "fine"):
        model_fine = getattr(models, cfg.models.fine.type)(hidden_size=cfg.models.fine.hidden_size)
        model_fine.to(device)

    trainable_parameters = list(model_coarse.parameters())
    if model_fine is not None:
        trainable_parameters += list(model_fine.parameters())
    optimizer = getattr(torch.optim, cfg.optimizer.type)(trainable_parameters, lr=cfg.optimizer.lr)

    for i in range(cfg.experiment.train_iters):
        model_coarse.train()
        rgb_coarse, rgb_fine, target_ray_values = run_one_iter_of_nerf(model_coarse, model_fine, cfg, device)
        coarse_loss = torch.nn.functional.mse_loss(rgb_coarse[..., :3], target_ray_values[..., :3])
        fine_loss = None
        if rgb_fine is not None:
            fine_loss = torch.nn.functional.mse_loss(rgb_fine[..., :3], target_ray_values[..., :3])
        loss = coarse_loss + (fine_loss if fine_loss is not None else 0.0)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()


if __name__ == "__main__":
    main()
