# "Replicating our result on E2E", step 1 (README): GPT-2 Medium with LoRA
python -m torch.distributed.launch --nproc_per_node=1 src/gpt2_ft.py \
    --train_data ./data/e2e/train.jsonl \
    --train_batch_size 8 \
    --grad_acc 1 \
    --seq_len 512 \
    --platform local \
    --clip 0.0 \
    --lr 0.0002 \
    --weight_decay 0.01 \
    --correct_bias \
    --adam_beta2 0.999 \
    --scheduler linear \
    --warmup_step 500 \
    --max_epoch 5 \
    --lora_dim 4 \
    --lora_alpha 32 \
    --label_smooth 0.1
