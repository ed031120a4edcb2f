import logging
from contextlib import nullcontext

import torch
from torch.cuda.amp import GradScaler, autocast

from espnet2.schedulers.abs_scheduler import AbsBatchStepScheduler


class Trainer:
    @classmethod
    def run(cls, model, optimizers, schedulers, train_iter, options, distributed):
        if distributed:
            model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[torch.cuda.current_device()])
        scaler = GradScaler() if options.use_amp else None
        for epoch in range(options.max_epoch):
            cls.train_one_epoch(model, train_iter, optimizers, schedulers, scaler, options, distributed)

    @classmethod
    def train_one_epoch(cls, model, iterator, optimizers, schedulers, scaler, options, distributed):
        grad_clip = options.grad_clip
        grad_clip_type = options.grad_clip_type
        accum_grad = options.accum_grad
        ngpu = options.ngpu
        model.train()
        all_steps_are_invalid = True
        for iiter, (utt_id, batch) in enumerate(iterator, 1):
            with autocast(scaler is not None):
                loss, stats, weight = model(**batch)
                if ngpu > 1 or distributed:
                    loss = (loss * weight.type(loss.dtype)).sum()
                    loss /= weight.sum()
                if distributed:
                    # DistributedDataParallel averages over workers; undo it
                    loss *= torch.distributed.get_world_size()
                loss /= accum_grad

            if scaler is not None:
                scaler.scale(loss).backward()
            else:
                loss.backward()
            del loss

            if iiter % accum_grad == 0:
                if scaler is not None:
                    for optimizer in optimizers:
                        scaler.unscale_(optimizer)

                grad_norm = torch.nn.utils.clip_grad_norm_(
                    model.parameters(), max_norm=grad_clip, norm_type=grad_clip_type
                )
                if not torch.isfinite(grad_norm):
                    logging.warning(f"The grad norm is {grad_norm}. Skipping updating the model.")
                    if scaler is not None:
                        for optimizer in optimizers:
                            scaler.step(optimizer)
                            scaler.update()
                else:
                    all_steps_are_invalid = False
                    for optimizer, scheduler in zip(optimizers, schedulers):
                        if scaler is not None:
                            scaler.step(optimizer)
                            scaler.update()
                        else:
                            optimizer.step()
                        if isinstance(scheduler, AbsBatchStepScheduler):
                            scheduler.step()
                for optimizer in optimizers:
                    optimizer.zero_grad()
        return all_steps_are_invalid
