#!/bin/bash
mkdir -p checkpoints
python -u train.py --name raft-chairs --stage chairs --gpus 0 --num_steps 120000 --batch_size 8 --lr 0.00025 --wdecay 0.0001 --mixed_precision
python -u train.py --name raft-things --stage things --gpus 0 --num_steps 120000 --batch_size 5 --lr 0.0001 --wdecay 0.0001 --mixed_precision
