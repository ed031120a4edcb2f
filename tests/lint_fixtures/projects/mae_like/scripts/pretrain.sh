#!/bin/bash
# 8 GPUs x 64 x accum_iter 8 = 4096 images per optimizer step.
python -m torch.distributed.launch --nproc_per_node=8 main.py \
    --accum_iter 8 --epochs 800
