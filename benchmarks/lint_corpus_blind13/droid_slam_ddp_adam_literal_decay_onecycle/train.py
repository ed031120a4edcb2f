import numpy as np
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader

from data_readers.factory import dataset_factory
from droid_net import DroidNet
from geom import losses


def train(gpu, args):
    dist.init_process_group(backend="nccl", init_method="env://", world_size=args.world_size, rank=gpu)
    torch.cuda.set_device(gpu)
    rng = np.random.default_rng(12345)

    model = DroidNet()
    model.cuda()
    model.train()
    model = DDP(model, device_ids=[gpu], find_unused_parameters=False)

    db = dataset_factory(["tartan"], datapath=args.datapath, n_frames=args.n_frames)
    train_sampler = torch.utils.data.distributed.DistributedSampler(db, shuffle=True, num_replicas=args.world_size, rank=gpu)
    train_loader = DataLoader(db, batch_size=args.batch, sampler=train_sampler, num_workers=2)

    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=1e-5)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer,
        args.lr, args.steps, pct_start=0.01, cycle_momentum=False)

    should_keep_training = True
    total_steps = 0
    while should_keep_training:
        for i_batch, item in enumerate(train_loader):
            optimizer.zero_grad()
            images, poses, disps, intrinsics = [x.to("cuda") for x in item]
            Gs, disp0, graph = losses.initial_state(poses, disps, intrinsics)

            r = 0
            while r < args.restart_prob:
                r = rng.random()
                poses_est, disps_est, residuals = model(Gs, images, disp0, intrinsics / 8.0, graph, num_steps=args.iters)
                geo_loss, _ = losses.geodesic_loss(poses, poses_est, graph)
                res_loss, _ = losses.residual_loss(residuals)
                flo_loss, _ = losses.flow_loss(poses, disps, poses_est, disps_est, intrinsics, graph)
                loss = args.w1 * geo_loss + args.w2 * res_loss + args.w3 * flo_loss
                loss.backward()
                Gs = poses_est[-1].detach()
                disp0 = disps_est[-1][:, :, 3::8, 3::8].detach()

            torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
            optimizer.step()
            scheduler.step()
            total_steps += 1
            if total_steps >= args.steps:
                should_keep_training = False
                break
    dist.destroy_process_group()


if __name__ == "__main__":
    import argparse
    parser = argparse.ArgumentParser()
    parser.add_argument("--datapath", default="datasets/TartanAir")
    parser.add_argument("--gpus", type=int, default=4)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--iters", type=int, default=15)
    parser.add_argument("--steps", type=int, default=250000)
    parser.add_argument("--lr", type=float, default=0.00025)
    parser.add_argument("--clip", type=float, default=2.5)
    parser.add_argument("--n_frames", type=int, default=7)
    parser.add_argument("--w1", type=float, default=10.0)
    parser.add_argument("--w2", type=float, default=0.01)
    parser.add_argument("--w3", type=float, default=0.05)
    parser.add_argument("--restart_prob", type=float, default=0.2)
    args = parser.parse_args()
    args.world_size = args.gpus
    mp.spawn(train, nprocs=args.gpus, args=(args,))
