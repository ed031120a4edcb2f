import copy

import torch
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel

from src.helper import init_model, init_opt
from src.masks.utils import apply_masks
from src.utils.distributed import init_distributed, AllReduce
from src.datasets.imagenet1k import make_imagenet1k


def main(args):
    use_bfloat16 = args["meta"]["use_bfloat16"]
    wd = float(args["optimization"]["weight_decay"])
    final_wd = float(args["optimization"]["final_weight_decay"])
    num_epochs = args["optimization"]["epochs"]
    device = torch.device("cuda:0")

    world_size, rank = init_distributed()
    encoder, predictor = init_model(device=device, model_name=args["meta"]["model_name"])
    target_encoder = copy.deepcopy(encoder)
    _, unsupervised_loader, unsupervised_sampler = make_imagenet1k(batch_size=args["data"]["batch_size"])
    ipe = len(unsupervised_loader)

    optimizer, scaler, scheduler, wd_scheduler = init_opt(
        encoder=encoder, predictor=predictor, wd=wd, final_wd=final_wd,
        start_lr=args["optimization"]["start_lr"], ref_lr=args["optimization"]["lr"],
        final_lr=args["optimization"]["final_lr"], iterations_per_epoch=ipe,
        warmup=args["optimization"]["warmup"], num_epochs=num_epochs,
        ipe_scale=args["optimization"]["ipe_scale"], use_bfloat16=use_bfloat16)

    if world_size != 1:
        encoder = DistributedDataParallel(encoder, static_graph=True)
        predictor = DistributedDataParallel(predictor, static_graph=True)
        target_encoder = DistributedDataParallel(target_encoder)

    for epoch in range(num_epochs):
        unsupervised_sampler.set_epoch(epoch)
        for itr, (udata, masks_enc, masks_pred) in enumerate(unsupervised_loader):
            imgs = udata[0].to(device, non_blocking=True)

            def train_step():
                _new_lr = scheduler.step()
                _new_wd = wd_scheduler.step()

                def forward_target():
                    with torch.no_grad():
                        h = target_encoder(imgs)
                        h = F.layer_norm(h, (h.size(-1),))
                        return apply_masks(h, masks_pred)

                def forward_context():
                    z = encoder(imgs, masks_enc)
                    return predictor(z, masks_enc, masks_pred)

                def loss_fn(z, h):
                    loss = F.smooth_l1_loss(z, h)
                    return AllReduce.apply(loss)

                if use_bfloat16:
                    with torch.cuda.amp.autocast(dtype=torch.bfloat16, enabled=use_bfloat16):
                        h = forward_target()
                        z = forward_context()
                        loss = loss_fn(z, h)
                    scaler.scale(loss).backward()
                    scaler.step(optimizer)
                    scaler.update()
                else:
                    h = forward_target()
                    z = forward_context()
                    loss = loss_fn(z, h)
                    loss.backward()
                    optimizer.step()
                optimizer.zero_grad()
                return float(loss), _new_lr, _new_wd

            loss, _new_lr, _new_wd = train_step()
