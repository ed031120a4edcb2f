#! /bin/bash
OMP_NUM_THREADS=8 CUDA_VISIBLE_DEVICES=0 python main_nerf.py data/fox --workspace trial_nerf -O
