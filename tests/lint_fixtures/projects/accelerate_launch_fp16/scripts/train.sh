accelerate launch --num_processes 2 --mixed_precision fp16 train.py
