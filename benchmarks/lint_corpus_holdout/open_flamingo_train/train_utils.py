from contextlib import suppress

import torch


def get_autocast(precision):
    if precision == "amp":
        return torch.cuda.amp.autocast
    if precision in ("amp_bfloat16", "amp_bf16"):
        return lambda: torch.cuda.amp.autocast(dtype=torch.bfloat16)
    return suppress


def train_one_epoch(args, model, epoch, laion_loader, mmc4_loader, tokenizer, optimizer, lr_scheduler, device_id):
    num_batches_per_epoch = mmc4_loader.num_batches
    autocast = get_autocast(args.precision)
    media_token_id = tokenizer("<image>", add_special_tokens=False)["input_ids"][-1]
    model.train()

    for num_steps, (batch_laion, batch_mmc4) in enumerate(zip(laion_loader, mmc4_loader)):
        images, input_ids, attention_mask = (t.to(device_id, non_blocking=True) for t in batch_laion)
        labels = input_ids.clone()
        labels[labels == tokenizer.pad_token_id] = -100
        labels[labels == media_token_id] = -100
        with autocast():
            loss_laion = model(vision_x=images, lang_x=input_ids, attention_mask=attention_mask, labels=labels)[0]
        divided_loss_laion = loss_laion / args.gradient_accumulation_steps

        images, input_ids, attention_mask = (t.to(device_id, non_blocking=True) for t in batch_mmc4)
        labels = mask_mmc4_labels(input_ids, tokenizer, media_token_id)
        if torch.all(labels == -100):
            continue
        with autocast():
            loss_mmc4 = model(vision_x=images, lang_x=input_ids, attention_mask=attention_mask, labels=labels)[0]
            # if the loss is nan, skip this batch
            if torch.isnan(loss_mmc4):
                print("loss is nan, skipping this batch")
                optimizer.zero_grad()
                continue
        divided_loss_mmc4 = loss_mmc4 / args.gradient_accumulation_steps

        loss = (divided_loss_laion * args.loss_multiplier_laion
                + divided_loss_mmc4 * args.loss_multiplier_mmc4)
        loss.backward()

        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)

        # step optimizer and log
        if ((num_steps + 1) % args.gradient_accumulation_steps == 0) or (num_steps == num_batches_per_epoch - 1):
            optimizer.step()
            lr_scheduler.step()
            optimizer.zero_grad()


def mask_mmc4_labels(input_ids, tokenizer, media_token_id):
    labels = input_ids.clone()
    labels[labels == tokenizer.pad_token_id] = -100
    labels[labels == media_token_id] = -100
    return labels
