def maybe_grad_clip(accelerator, model, args):
    if args.optim.grad_clip > 0:
        accelerator.clip_grad_norm_(parameters=model.parameters(), max_norm=args.optim.grad_clip, norm_type=2)


def forward(model, batch):
    outputs = model(**batch)
    return outputs.loss


def train(model, train_dataloader, accelerator, lr_scheduler, optimizer, args):
    model.train()
    while args.current_train_step <= args.optim.total_steps:
        for batch_id, batch in enumerate(train_dataloader, start=1):
            if args.current_train_step > args.optim.total_steps:
                break
            loss = forward(model, batch)
            accelerator.backward(loss / args.optim.grad_acc)
            if batch_id % args.optim.grad_acc == 0:
                maybe_grad_clip(accelerator, model, args)
                optimizer.step()
                lr_scheduler.step()
                optimizer.zero_grad(set_to_none=True)
                args.current_train_step += 1
        args.current_epoch += 1
