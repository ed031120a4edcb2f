"""Process-group setup and model wrapping for the NLG example."""

import torch
import torch.distributed as dist


def add_gpu_params(parser):
    parser.add_argument("--platform", default="k8s", type=str)
    parser.add_argument("--local_rank", "--local-rank", default=0, type=int)
    parser.add_argument("--rank", default=0, type=int)
    parser.add_argument("--world_size", default=0, type=int)
    parser.add_argument("--random_seed", default=10, type=int)


def parse_gpu(args):
    dist.init_process_group(backend="nccl")
    args.rank = dist.get_rank()
    args.world_size = dist.get_world_size()
    args.device = torch.device("cuda", args.local_rank)
    torch.cuda.set_device(args.device)


def distributed_opt(args, model, opt, grad_acc=1):
    if args.platform == "azure":
        opt = args.hvd.DistributedOptimizer(
            opt, named_parameters=model.named_parameters(), backward_passes_per_step=grad_acc
        )
    elif args.platform in ("philly", "k8s", "local"):
        model = torch.nn.parallel.DistributedDataParallel(
            model, device_ids=[args.local_rank], output_device=args.local_rank, broadcast_buffers=False
        )
    return model, opt
