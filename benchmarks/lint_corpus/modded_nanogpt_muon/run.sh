#!/bin/bash
torchrun --standalone --nproc_per_node=8 train_gpt2.py
