from contextlib import nullcontext, suppress

import torch
from torch.nn.parallel.distributed import DistributedDataParallel


def get_autocast(precision):
    if precision == "amp":
        return torch.cuda.amp.autocast
    return suppress


def backward(total_loss, scaler):
    if scaler is not None:
        scaler.scale(total_loss).backward()
    else:
        total_loss.backward()


def train_one_epoch(model, loss, data, epoch, optimizer, scaler, scheduler, args):
    autocast = get_autocast(args.precision)
    model.train()
    dataloader = data["train"].dataloader
    num_batches_per_epoch = dataloader.num_batches // args.accum_freq
    if args.accum_freq > 1:
        accum_images, accum_texts, accum_features = [], [], {}

    for i, batch in enumerate(dataloader):
        i_accum = i // args.accum_freq
        step = num_batches_per_epoch * epoch + i_accum

        if not args.skip_scheduler:
            scheduler(step)

        images, texts = batch
        optimizer.zero_grad()

        if args.accum_freq == 1:
            with autocast():
                model_out = model(images, texts)
                losses = loss(**model_out, output_dict=True)
                total_loss = sum(losses.values())
            backward(total_loss, scaler)
        else:
            # first pass: cache every micro-batch's features without a graph
            with torch.no_grad():
                with autocast():
                    model_out = model(images, texts)
                    model_out.pop("logit_scale", None)
                    for key, val in model_out.items():
                        accum_features.setdefault(key, []).append(val)
                accum_images.append(images)
                accum_texts.append(texts)

            if ((i + 1) % args.accum_freq) > 0:
                continue

            # second pass: recompute each micro-batch with a graph; the other micro-batches' cached features
            # are the negatives, so every backward is of the full-batch contrastive loss
            optimizer.zero_grad()
            for j in range(args.accum_freq):
                images = accum_images[j]
                texts = accum_texts[j]
                is_last_step = j == args.accum_freq - 1
                use_ddp_no_sync = not is_last_step and isinstance(model, DistributedDataParallel)
                ddp_context = model.no_sync() if use_ddp_no_sync else nullcontext()
                with ddp_context:
                    with autocast():
                        model_out = model(images, texts)
                        logit_scale = model_out.pop("logit_scale")
                        inputs = {}
                        for key, accumulated in accum_features.items():
                            inputs[key] = torch.cat(accumulated[:j] + [model_out[key]] + accumulated[j + 1 :])
                        losses = loss(**inputs, logit_scale=logit_scale, output_dict=True)
                        total_loss = sum(losses.values())
                    backward(total_loss, scaler)

        if scaler is not None:
            if args.grad_clip_norm is not None:
                scaler.unscale_(optimizer)
                torch.nn.utils.clip_grad_norm_(model.parameters(), args.grad_clip_norm, norm_type=2.0)
            scaler.step(optimizer)
            scaler.update()
        else:
            if args.grad_clip_norm is not None:
                torch.nn.utils.clip_grad_norm_(model.parameters(), args.grad_clip_norm, norm_type=2.0)
            optimizer.step()

        if args.accum_freq > 1:
            accum_images, accum_texts, accum_features = [], [], {}
