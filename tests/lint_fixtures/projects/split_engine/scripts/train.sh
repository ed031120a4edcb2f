#!/bin/bash
torchrun --nproc_per_node=4 train.py --accum_steps 4 --world_size 4
