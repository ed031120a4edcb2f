import argparse
from contextlib import nullcontext

import torch
import torch.nn as nn
from omegaconf import OmegaConf
from torch.nn.parallel import DistributedDataParallel as DDP

from losses.adversarial import AdversarialLoss
from losses.lpips import LPIPS as LPIPSLoss
from models.vqmodel import VQModel
from utils.distributed import get_local_rank, get_world_size, init_distributed_mode, is_dist_avail_and_initialized
from utils.experiment import instantiate_from_config


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-c", "--config", type=str, required=True)
    args = parser.parse_args()
    conf = OmegaConf.load(args.config)
    device = init_distributed_mode()

    bspp = conf.train.batch_size // get_world_size()
    micro_batch_size = conf.train.micro_batch_size or bspp
    train_loader = build_loader(conf, bspp)

    encoder = instantiate_from_config(conf.encoder)
    decoder = instantiate_from_config(conf.decoder)
    quantizer = instantiate_from_config(conf.quantizer)
    disc = instantiate_from_config(conf.disc).to(device)
    model = VQModel(encoder=encoder, decoder=decoder, quantizer=quantizer).to(device)
    optimizer = instantiate_from_config(conf.train.optim, params=model.parameters())
    optimizer_d = instantiate_from_config(conf.train.optim_d, params=disc.parameters())

    loss_rec_fn = nn.MSELoss()
    loss_lpips_fn = LPIPSLoss().eval().to(device)
    loss_adv_fn = AdversarialLoss(disc).to(device)
    if is_dist_avail_and_initialized():
        model = DDP(model, device_ids=[get_local_rank()])
        loss_adv_fn = DDP(loss_adv_fn, device_ids=[get_local_rank()])

    def train_micro_batch(x, loss_scale, no_sync):
        model_no_sync = model.no_sync() if no_sync else nullcontext()
        loss_adv_fn_no_sync = loss_adv_fn.no_sync() if no_sync else nullcontext()
        with model_no_sync, loss_adv_fn_no_sync:
            out = model(x)
            loss_rec = loss_rec_fn(out["decx"], x)
            loss_lpips = loss_lpips_fn(out["decx"], x).mean()
            loss_adv = loss_adv_fn("G", fake_data=out["decx"])
            loss = (
                conf.train.coef_rec * loss_rec
                + conf.train.coef_lpips * loss_lpips
                + conf.train.coef_commit * out["loss_commit"]
                + conf.train.coef_vq * out["loss_vq"]
                + conf.train.coef_adv * loss_adv
            )
            loss = loss * loss_scale
            loss.backward()
            loss_adv_d = loss_adv_fn("D", fake_data=out["decx"].detach(), real_data=x)
            loss_adv_d = loss_adv_d * loss_scale
            loss_adv_d.backward()

    def train_step(batch):
        x = batch.float().to(device)
        optimizer.zero_grad()
        optimizer_d.zero_grad()
        for i in range(0, bspp, micro_batch_size):
            micro_x = x[i:i + micro_batch_size]
            loss_scale = micro_x.shape[0] / bspp
            no_sync = i + micro_batch_size < bspp and is_dist_avail_and_initialized()
            train_micro_batch(micro_x, loss_scale, no_sync)
        if conf.train.get("clip_grad_norm", None):
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=conf.train.clip_grad_norm)
            nn.utils.clip_grad_norm_(disc.parameters(), max_norm=conf.train.clip_grad_norm)
        optimizer.step()
        optimizer_d.step()

    step = 0
    while step < conf.train.n_steps:
        for _batch in train_loader:
            model.train()
            train_step(_batch)
            step += 1


def build_loader(conf, batch_size):
    raise NotImplementedError


if __name__ == "__main__":
    main()
