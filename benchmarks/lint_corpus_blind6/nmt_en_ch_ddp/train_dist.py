import argparse

import torch
import torch.distributed as dist

from model import GeneratorSelfAttention

torch.distributed.init_process_group(backend="nccl", init_method="env://")
parser = argparse.ArgumentParser()
parser.add_argument("--local_rank", type=int)
args = parser.parse_args()
torch.cuda.set_device(args.local_rank)

n_embedding = 256
n_hidden = 256
n_layer = 4
log_interval = 500

model = GeneratorSelfAttention(35000, n_embedding, n_hidden, n_layer).cuda()
model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[args.local_rank], output_device=args.local_rank)
optimizer = torch.optim.Adam(model.parameters(), weight_decay=1.0e-5, lr=3.0e-4)


def train(queue):
    model.train()
    num_ = 0
    while True:
        one = queue.get()
        optimizer.zero_grad()
        loss = model([x.cuda() for x in one])
        loss.backward()
        optimizer.step()
        num_ += 1
        if num_ == log_interval * 10:
            break


for epoch in range(10000):
    train(args.queue)
    if epoch > 5:
        for g in optimizer.param_groups:
            g["lr"] *= 0.95
