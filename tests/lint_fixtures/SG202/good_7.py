# The loop runs one micro-batch per iteration up to args.total_steps, and the schedule is built
# with that same count and stepped every iteration: consistent (no SG202), while the optimizer
# steps every backward_passes_per_step iterations.
def train(model, opt, make_scheduler, batches, args):
    lr_scheduler = make_scheduler(opt, int(args.total_steps * 0.1), args.total_steps)
    global_step = 0
    while global_step <= args.total_steps:
        loss = model(next(batches)).loss / args.backward_passes_per_step
        loss.backward()
        if global_step % args.backward_passes_per_step == 0:
            opt.step()
            opt.zero_grad()
        lr_scheduler.step()
        global_step += 1
