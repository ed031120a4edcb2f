import torch
from torch.optim.lr_scheduler import LambdaLR


def setup_for_distributed_mode(model, optimizer, device, n_gpu=1, local_rank=-1, fp16=False, fp16_opt_level="O1"):
    model.to(device)
    if fp16:
        from apex import amp

        model, optimizer = amp.initialize(model, optimizer, opt_level=fp16_opt_level)
    if n_gpu > 1:
        model = torch.nn.DataParallel(model)
    if local_rank != -1:
        model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[local_rank], output_device=local_rank,
                                                          find_unused_parameters=True)
    return model, optimizer


def get_schedule_linear(optimizer, warmup_steps, training_steps, last_epoch=-1):
    def lr_lambda(step):
        if step < warmup_steps:
            return float(step) / float(max(1, warmup_steps))
        return max(0.0, float(training_steps - step) / float(max(1, training_steps - warmup_steps)))

    return LambdaLR(optimizer, lr_lambda, last_epoch)
