# nanoGPT style: micro-steps in an inner loop, the sync flag set before each forward,
# AMP with unscale_ before the clip, one step per outer iteration.
import torch
from torch.nn.parallel import DistributedDataParallel as DDP


class Trainer:
    def __init__(self, model, args, ddp, local_rank):
        self.args = args
        self.ddp = ddp
        self.scaler = torch.cuda.amp.GradScaler(enabled=(args.dtype == "float16"))
        self.optimizer = model.configure_optimizers(args.weight_decay, args.learning_rate)
        self.model = DDP(model, device_ids=[local_rank]) if ddp else model

    def train(self, get_batch, ctx):
        X, Y = get_batch("train")
        iter_num = 0
        while True:
            for micro_step in range(self.args.gradient_accumulation_steps):
                if self.ddp:
                    last = micro_step == self.args.gradient_accumulation_steps - 1
                    self.model.require_backward_grad_sync = last
                with ctx:
                    logits, loss = self.model(X, Y)
                    loss = loss / self.args.gradient_accumulation_steps
                X, Y = get_batch("train")
                self.scaler.scale(loss).backward()
            if self.args.grad_clip != 0.0:
                self.scaler.unscale_(self.optimizer)
                torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.args.grad_clip)
            self.scaler.step(self.optimizer)
            self.scaler.update()
            self.optimizer.zero_grad(set_to_none=True)
            iter_num += 1
            if iter_num > self.args.max_iters:
                break
