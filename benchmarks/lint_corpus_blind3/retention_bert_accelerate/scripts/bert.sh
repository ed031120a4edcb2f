CUDA_VISIBLE_DEVICES=3 python bert.py \
--batch_size 12 \
--gradient_accumulation_steps 4 \
--num_epochs 5 \
--fp16 \
--lr 1e-5 \
--weight_decay 1e-4 \
--use_schedule \
--model_checkpoint bert-large-uncased
