cd "$(dirname "$0")"/..
python3 main.py --model CLIP --fusion att --weight_decay 0.05 --train_batch_size 64 \
  --learning_rate 5e-4 --clip_learning_rate 1e-6 --layers 3 --max_grad_norm 5 \
  --optimizer_name adam --warmup_proportion 0.2 --num_experts 8 --num_train_epochs 5 --train --test
