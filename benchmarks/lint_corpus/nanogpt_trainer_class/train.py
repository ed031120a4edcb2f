import argparse
import os
from contextlib import nullcontext

import torch
from torch.distributed import init_process_group
from torch.nn.parallel import DistributedDataParallel as DDP

from model import GPT, GPTConfig


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--gradient_accumulation_steps", default=1, type=int)
    p.add_argument("--batch_size", default=64, type=int)
    p.add_argument("--learning_rate", default=1e-3, type=float)
    p.add_argument("--weight_decay", default=1e-1, type=float)
    p.add_argument("--beta1", default=0.9, type=float)
    p.add_argument("--beta2", default=0.99, type=float)
    p.add_argument("--grad_clip", default=1.0, type=float)
    p.add_argument("--max_iters", default=5000, type=int)
    p.add_argument("--dtype", default="float16", type=str)
    return p.parse_args()


class Trainer:
    def __init__(self, args):
        self.args = args
        self.setup()

    def setup(self):
        self.ddp = int(os.environ.get("RANK", -1)) != -1
        if self.ddp:
            init_process_group(backend="nccl")
            self.local_rank = int(os.environ["LOCAL_RANK"])
        self.model = GPT(GPTConfig()).cuda()
        self.scaler = torch.cuda.amp.GradScaler(enabled=(self.args.dtype == "float16"))
        self.optimizer = self.model.configure_optimizers(
            self.args.weight_decay, self.args.learning_rate, (self.args.beta1, self.args.beta2), "cuda"
        )
        if self.ddp:
            self.model = DDP(self.model, device_ids=[self.local_rank])
        self.ctx = nullcontext() if self.args.dtype == "float32" else torch.autocast("cuda")

    def get_batch(self):
        raise NotImplementedError

    def train(self):
        x, y = self.get_batch()
        it = 0
        while it < self.args.max_iters:
            for micro_step in range(self.args.gradient_accumulation_steps):
                if self.ddp:
                    self.model.require_backward_grad_sync = (
                        micro_step == self.args.gradient_accumulation_steps - 1
                    )
                with self.ctx:
                    logits, loss = self.model(x, y)
                    loss = loss / self.args.gradient_accumulation_steps
                x, y = self.get_batch()
                self.scaler.scale(loss).backward()
            if self.args.grad_clip != 0.0:
                self.scaler.unscale_(self.optimizer)
                torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.args.grad_clip)
            self.scaler.step(self.optimizer)
            self.scaler.update()
            self.optimizer.zero_grad(set_to_none=True)
            it += 1


if __name__ == "__main__":
    Trainer(parse_args()).train()
