import einops
import torch

from ldm.models.diffusion.ddpm import LatentDiffusion
from ldm.util import instantiate_from_config


class ControlLDM(LatentDiffusion):
    def __init__(self, control_stage_config, control_key, only_mid_control, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # a trainable copy of the UNet encoder: convs with biases, GroupNorm, time embedding, zero convs
        self.control_model = instantiate_from_config(control_stage_config)
        self.control_key = control_key
        self.only_mid_control = only_mid_control

    @torch.no_grad()
    def get_input(self, batch, k, bs=None, *args, **kwargs):
        x, c = super().get_input(batch, self.first_stage_key, *args, **kwargs)
        control = batch[self.control_key][:bs] if bs is not None else batch[self.control_key]
        control = einops.rearrange(control.to(self.device), "b h w c -> b c h w").float()
        return x, dict(c_crossattn=[c], c_concat=[control])

    def apply_model(self, x_noisy, t, cond, *args, **kwargs):
        cond_txt = torch.cat(cond["c_crossattn"], 1)
        cond_hint = torch.cat(cond["c_concat"], 1)
        control = self.control_model(x=x_noisy, hint=cond_hint, timesteps=t, context=cond_txt)
        return self.model.diffusion_model(
            x=x_noisy, timesteps=t, context=cond_txt, control=control, only_mid_control=self.only_mid_control
        )

    def configure_optimizers(self):
        lr = self.learning_rate
        params = list(self.control_model.parameters())
        if not self.sd_locked:
            params += list(self.model.diffusion_model.output_blocks.parameters())
            params += list(self.model.diffusion_model.out.parameters())
        opt = torch.optim.AdamW(params, lr=lr)
        return opt
