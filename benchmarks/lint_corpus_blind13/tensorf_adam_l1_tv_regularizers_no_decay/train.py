import numpy as np
import torch

from opt import config_parser
from renderer import OctreeRender_trilinear_fast, TVLoss
from dataLoader import dataset_dict
from models.tensoRF import TensorVMSplit

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
renderer = OctreeRender_trilinear_fast


def reconstruction(args):
    train_dataset = dataset_dict[args.dataset_name](args.datadir, split="train")
    tensorf = TensorVMSplit(train_dataset.scene_bbox.to(device), args.N_voxel_init, device)

    grad_vars = tensorf.get_optparam_groups(args.lr_init, args.lr_basis)
    lr_factor = args.lr_decay_target_ratio ** (1 / args.n_iters)
    optimizer = torch.optim.Adam(grad_vars, betas=(0.9, 0.99))

    allrays, allrgbs = train_dataset.all_rays, train_dataset.all_rgbs
    L1_reg_weight = args.L1_weight_inital
    TV_weight_density = args.TV_weight_density
    tvreg = TVLoss()

    for iteration in range(args.n_iters):
        ray_idx = torch.randint(0, allrays.shape[0], (args.batch_size,))
        rays_train, rgb_train = allrays[ray_idx], allrgbs[ray_idx].to(device)
        rgb_map, alphas_map, depth_map, weights, uncertainty = renderer(rays_train, tensorf, chunk=args.batch_size,
                                                                        device=device, is_train=True)
        loss = torch.mean((rgb_map - rgb_train) ** 2)
        total_loss = loss
        if L1_reg_weight > 0:
            loss_reg_L1 = tensorf.density_L1()
            total_loss += L1_reg_weight * loss_reg_L1
        if TV_weight_density > 0:
            TV_weight_density *= lr_factor
            loss_tv = tensorf.TV_loss_density(tvreg) * TV_weight_density
            total_loss = total_loss + loss_tv

        optimizer.zero_grad()
        total_loss.backward()
        optimizer.step()

        for param_group in optimizer.param_groups:
            param_group["lr"] = param_group["lr"] * lr_factor

        if iteration in args.upsamp_list:
            tensorf.upsample_volume_grid(args.N_voxel_final)
            grad_vars = tensorf.get_optparam_groups(args.lr_init, args.lr_basis)
            optimizer = torch.optim.Adam(grad_vars, betas=(0.9, 0.99))


if __name__ == "__main__":
    args = config_parser()
    reconstruction(args)
