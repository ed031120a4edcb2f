import argparse
import os

import torch
from timm import create_model
from torch import distributed
from torch.nn.utils import clip_grad_norm_

from training.fused_partial_fc_v2_multi_res import CombinedMarginLoss, PartialFC_V2
from training.lr_scheduler import PolynomialLRWarmup

parser = argparse.ArgumentParser(description="Multi-dataset video training")
parser.add_argument("--list_batch_sizes", nargs="+", type=int, default=[32])
parser.add_argument("--model_name", default="pretrain_encoder_small_patch16_224_v10_12_rms_unmask_with_head")
parser.add_argument("--embedding_size", type=int, default=384)
parser.add_argument("--opt", default="adamw")
parser.add_argument("--lr", type=float, default=1e-3)
parser.add_argument("--weight_decay", type=float, default=0.05, help="Weight decay for non-PFC params")
parser.add_argument("--weight_decay_pfc", type=float, default=0.05, help="Weight decay for PFC params")
parser.add_argument("--warmup_ratio", type=float, default=0.1)
parser.add_argument("--backward_passes_per_step", type=int, default=1, help="Gradient accumulation steps")
parser.add_argument("--num_sampled_data", type=int, default=60000000)
args = parser.parse_args()

local_rank = int(os.getenv("LOCAL_RANK", "0"))
world_size = int(os.getenv("WORLD_SIZE", "1"))
distributed.init_process_group(backend="nccl")


def main():
    args.batch_size = sum(args.list_batch_sizes)
    # loop iterations over the whole run
    args.total_steps = int(args.num_sampled_data / args.batch_size / world_size)

    backbone = create_model(args.model_name).cuda().train()
    backbone_parameters = filter(lambda p: p.requires_grad, backbone.parameters())
    parameters = [{"params": backbone_parameters}]
    list_module_pfc = []
    for head_id, num_classes in enumerate(head_num_classes()):
        partial_fc = PartialFC_V2(CombinedMarginLoss(64, 1, 0, 0.3, 0.75), args.embedding_size, num_classes, 0.1)
        partial_fc.train().cuda()
        list_module_pfc.append(partial_fc)
        parameters.append({"params": partial_fc.parameters(), "lr": args.lr, "weight_decay": args.weight_decay_pfc})

    if args.opt == "adamw":
        optimizer_cls = torch.optim.AdamW
        opt = optimizer_cls(parameters, lr=args.lr, weight_decay=args.weight_decay)
        lr_scheduler = PolynomialLRWarmup(opt, int(args.total_steps * args.warmup_ratio), args.total_steps, 2)
    else:
        raise ValueError(f"{args.opt} not support!")

    backbone_ddp = torch.nn.parallel.DistributedDataParallel(
        module=backbone, broadcast_buffers=False, device_ids=[local_rank], bucket_cap_mb=32,
        find_unused_parameters=True, static_graph=True,
    )
    backbone_ddp_compiled = torch.compile(backbone_ddp)

    data_iters = make_data_iters(args)
    global_step = 0
    while global_step <= args.total_steps:
        batches = [next(it) for it in data_iters]
        list_embedding = []
        for head_id, batch in enumerate(batches):
            with torch.amp.autocast(dtype=torch.bfloat16, device_type="cuda"):
                output = backbone_ddp_compiled(batch["pixel_values"])
            list_embedding.append(output["head_output"].float())

        list_loss = []
        for head_id, pfc in enumerate(list_module_pfc):
            list_loss.append(pfc(list_embedding[head_id], batches[head_id]["labels"].long().cuda(), 10))

        is_accumulation_step = global_step % args.backward_passes_per_step != 0
        scaled_loss = sum(list_loss) / args.backward_passes_per_step

        if is_accumulation_step:
            with backbone_ddp_compiled.no_sync():
                scaled_loss.backward()
        else:
            scaled_loss.backward()
            clip_grad_norm_(backbone_ddp_compiled.parameters(), max_norm=5, norm_type=2)
            for pfc in list_module_pfc:
                clip_grad_norm_(pfc.parameters(), max_norm=5, norm_type=2)
            opt.step()
            opt.zero_grad(set_to_none=True)

        lr_scheduler.step()
        global_step += 1


def head_num_classes():
    raise NotImplementedError


def make_data_iters(args):
    raise NotImplementedError


if __name__ == "__main__":
    main()
