#!/bin/bash
#SBATCH --nodes=1
#SBATCH --ntasks-per-node=4
#SBATCH --gres=gpu:4
accelerate launch --config_file accelerate_config.yaml scripts/train.py configs/train_config.yaml
