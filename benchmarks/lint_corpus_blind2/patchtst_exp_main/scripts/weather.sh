#!/bin/bash
model_name=PatchTST
for pred_len in 96 192 336 720
do
    python -u run_longExp.py \
      --model $model_name \
      --data custom \
      --features M \
      --seq_len 336 \
      --pred_len $pred_len \
      --train_epochs 100 \
      --patience 20 \
      --lradj 'TST' \
      --pct_start 0.2 \
      --itr 1 --batch_size 128 --learning_rate 0.0001
done
