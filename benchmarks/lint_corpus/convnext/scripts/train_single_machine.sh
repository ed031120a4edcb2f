#!/bin/bash
# Single-machine ImageNet-1K command of TRAINING.md (8 GPUs x 128 x update_freq 4 = 4096)
python -m torch.distributed.launch --nproc_per_node=8 main.py \
  --model convnext_tiny --drop_path 0.1 \
  --batch_size 128 --lr 4e-3 --update_freq 4 \
  --model_ema true --model_ema_eval true
