#!/bin/bash
# 4 GPUs, 8 micro-batches per optimizer step.
torchrun --nproc_per_node=4 train.py --config configs/base.yaml --gradient_accumulation_steps 8
