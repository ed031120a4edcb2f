import numpy as np
import torch
import torch.nn.functional as F

from models.fields import RenderingNetwork, SDFNetwork, SingleVarianceNetwork, NeRF
from models.renderer import NeuSRenderer


class Runner:
    def __init__(self, conf):
        self.device = torch.device("cuda")
        self.conf = conf
        self.end_iter = conf.get_int("train.end_iter")
        self.base_learning_rate = conf.get_float("train.learning_rate")
        self.learning_rate_alpha = conf.get_float("train.learning_rate_alpha")
        self.warm_up_end = conf.get_float("train.warm_up_end", default=0.0)
        self.igr_weight = conf.get_float("train.igr_weight")
        self.mask_weight = conf.get_float("train.mask_weight")
        self.iter_step = 0

        self.nerf_outside = NeRF(**conf["model.nerf"]).to(self.device)
        self.sdf_network = SDFNetwork(**conf["model.sdf_network"]).to(self.device)
        self.deviation_network = SingleVarianceNetwork(**conf["model.variance_network"]).to(self.device)
        self.color_network = RenderingNetwork(**conf["model.rendering_network"]).to(self.device)
        params_to_train = []
        params_to_train += list(self.nerf_outside.parameters())
        params_to_train += list(self.sdf_network.parameters())
        params_to_train += list(self.deviation_network.parameters())
        params_to_train += list(self.color_network.parameters())
        self.optimizer = torch.optim.Adam(params_to_train, lr=self.base_learning_rate)
        self.renderer = NeuSRenderer(self.nerf_outside, self.sdf_network, self.deviation_network,
                                     self.color_network, **conf["model.neus_renderer"])

    def train(self, data_loader):
        for iter_i in range(self.end_iter - self.iter_step):
            rays_o, rays_d, true_rgb, mask, near, far = next(data_loader)
            mask_sum = mask.sum() + 1e-5
            render_out = self.renderer.render(rays_o, rays_d, near, far)
            color_error = (render_out["color_fine"] - true_rgb) * mask
            color_fine_loss = F.l1_loss(color_error, torch.zeros_like(color_error), reduction="sum") / mask_sum
            eikonal_loss = render_out["gradient_error"]
            mask_loss = F.binary_cross_entropy(render_out["weight_sum"].clip(1e-3, 1.0 - 1e-3), mask)

            loss = color_fine_loss +\
                eikonal_loss * self.igr_weight +\
                mask_loss * self.mask_weight

            self.update_learning_rate()
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
            self.iter_step += 1

    def update_learning_rate(self):
        if self.iter_step < self.warm_up_end:
            learning_factor = self.iter_step / self.warm_up_end
        else:
            alpha = self.learning_rate_alpha
            progress = (self.iter_step - self.warm_up_end) / (self.end_iter - self.warm_up_end)
            learning_factor = (np.cos(np.pi * progress) + 1.0) * 0.5 * (1 - alpha) + alpha
        for g in self.optimizer.param_groups:
            g["lr"] = self.base_learning_rate * learning_factor
