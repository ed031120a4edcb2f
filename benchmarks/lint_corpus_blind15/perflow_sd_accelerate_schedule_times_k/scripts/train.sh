accelerate launch --num_processes 1 --mixed_precision "fp16" \
    scripts/train_perflow.py \
        --train_batch_size 16 --gradient_accumulation_steps 1 \
        --pretrained_model_name_or_path "stable-diffusion-v1-5" \
        --learning_rate 8e-5 --lr_scheduler "constant" --lr_warmup_steps 1000 \
        --adam_weight_decay 1e-5 --max_grad_norm 1 \
        --max_train_steps 1000000 --mixed_precision "fp16"
