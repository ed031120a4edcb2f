"""Process-group setup and model wrapping, chosen by the platform the job runs on."""

import torch
import torch.distributed as dist


def add_gpu_params(parser):
    parser.add_argument("--platform", default="k8s")
    parser.add_argument("--local_rank", type=int, default=0)


def parse_gpu(args):
    dist.init_process_group(backend="nccl")
    args.device = torch.device("cuda", args.local_rank)


def distributed_opt(args, model, opt, grad_acc=1):
    if args.platform == "azure":
        opt = args.hvd.DistributedOptimizer(opt, named_parameters=model.named_parameters(), backward_passes_per_step=grad_acc)
    elif args.platform in ("philly", "k8s", "local"):
        model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[args.local_rank], broadcast_buffers=False)
    return model, opt
