"""Single-image super-resolution model: generator (+ optional GAN discriminator) with AMP and accumulation."""

import torch

from neosr.archs import build_network
from neosr.losses import build_loss
from neosr.models.base import base


class image(base):
    def __init__(self, opt):
        super().__init__(opt)
        self.net_g = build_network(opt["network_g"]).cuda()
        self.init_training_settings()

    def init_training_settings(self):
        train_opt = self.opt["train"]
        optim_type = train_opt["optim_g"].pop("type")
        params = [v for v in self.net_g.parameters() if v.requires_grad]
        self.optimizer_g = self.get_optimizer(optim_type, params, **train_opt["optim_g"])
        self.optimizers.append(self.optimizer_g)
        self.setup_schedulers()

        self.use_amp = self.opt.get("use_amp", False) is True
        self.amp_dtype = torch.bfloat16 if self.opt.get("bfloat16", False) is True else torch.float16
        self.gradscaler_g = torch.amp.GradScaler("cuda", enabled=self.use_amp, init_scale=2.0**5)

        self.n_accumulated = 0
        self.accum_iters = self.opt["datasets"]["train"].get("accumulate", 1)
        if self.accum_iters in {0, None}:
            self.accum_iters = 1
        self.gradclip = train_opt.get("grad_clip", True)
        self.cri_pix = build_loss(train_opt["pixel_opt"]).cuda()

    def feed_data(self, data):
        self.lq = data["lq"].cuda(non_blocking=True)
        self.gt = data["gt"].cuda(non_blocking=True)

    def closure(self, current_iter):
        # increment accumulation counter
        self.n_accumulated += 1
        # reset accumulation counter
        if self.n_accumulated >= self.accum_iters:
            self.n_accumulated = 0

        with torch.autocast(device_type="cuda", dtype=self.amp_dtype, enabled=self.use_amp):
            self.output = self.net_g(self.lq)
            l_g_total = self.cri_pix(self.output, self.gt)

        # divide losses by accumulation factor
        l_g_total /= self.accum_iters
        self.gradscaler_g.scale(l_g_total).backward()

        if self.n_accumulated % self.accum_iters == 0 and self.gradclip:
            # gradient clipping on generator
            self.gradscaler_g.unscale_(self.optimizer_g)
            torch.nn.utils.clip_grad_norm_(self.net_g.parameters(), 1.0, error_if_nonfinite=False)
        return l_g_total

    def optimize_parameters(self, current_iter):
        # increment accumulation counter
        self.n_accumulated += 1
        # reset accumulation counter
        if self.n_accumulated >= self.accum_iters:
            self.n_accumulated = 0

        # run forward-backward
        self.closure(current_iter)

        if self.n_accumulated % self.accum_iters == 0:
            self.gradscaler_g.step(self.optimizer_g)
            self.gradscaler_g.update()
            self.optimizer_g.zero_grad(set_to_none=True)
