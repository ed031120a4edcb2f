import torch
import torch.distributed as dist
from torch.cuda.amp import autocast
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader
from torch.utils.data.distributed import DistributedSampler

from model_utils import instantiate_from_config
from train_utils import parse_configs


def main(args, dataset, transport):
    rae_config, model_config, training_cfg = parse_configs(args.config)
    grad_accum_steps = int(training_cfg.get("grad_accum_steps", 1))
    epochs = int(training_cfg.get("epochs", 1400))
    global_batch_size = int(training_cfg.get("global_batch_size", 1024))
    base_lr = float(training_cfg.get("base_lr", 2e-4))
    final_lr = float(training_cfg.get("final_lr", 2e-5))
    decay_start_epoch = int(training_cfg.get("decay_start_epoch", 40))
    decay_end_epoch = int(training_cfg.get("decay_end_epoch", 800))

    dist.init_process_group("nccl")
    world_size = dist.get_world_size()
    rank = dist.get_rank()
    device = torch.device("cuda", rank % torch.cuda.device_count())
    micro_batch_size = global_batch_size // (world_size * grad_accum_steps)

    rae = instantiate_from_config(rae_config).to(device)
    model = instantiate_from_config(model_config).to(device)
    model = DDP(model, device_ids=[device.index], gradient_as_bucket_view=False)
    opt = torch.optim.AdamW(model.parameters(), lr=base_lr, weight_decay=0)

    sampler = DistributedSampler(dataset, num_replicas=world_size, rank=rank, shuffle=True)
    loader = DataLoader(dataset, batch_size=micro_batch_size, sampler=sampler, drop_last=True)
    steps_per_epoch = len(loader) // grad_accum_steps
    decay_start_step = decay_start_epoch * steps_per_epoch
    decay_end_step = decay_end_epoch * steps_per_epoch
    final_lr_factor = final_lr / base_lr

    def linear_lr_lambda(step):
        if step < decay_start_step:
            return 1.0
        if step >= decay_end_step:
            return final_lr_factor
        progress = (step - decay_start_step) / max(decay_end_step - decay_start_step, 1)
        return 1.0 - (1.0 - final_lr_factor) * progress

    schedl = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda=linear_lr_lambda)
    model.train()
    for epoch in range(epochs):
        sampler.set_epoch(epoch)
        opt.zero_grad()
        accum_counter = 0
        for x, y in loader:
            x = x.to(device)
            y = y.to(device)
            with torch.no_grad():
                x = rae.encode(x)
            with autocast(dtype=torch.bfloat16, enabled=args.precision == "bf16"):
                loss_tensor = transport.training_losses(model, x, dict(y=y))["loss"].mean()
            (loss_tensor / grad_accum_steps).backward()
            accum_counter += 1
            if accum_counter < grad_accum_steps:
                continue
            opt.step()
            schedl.step()
            opt.zero_grad()
            accum_counter = 0
