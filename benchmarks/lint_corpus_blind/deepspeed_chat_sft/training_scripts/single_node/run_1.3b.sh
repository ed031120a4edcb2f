#!/bin/bash
# Step-1 SFT of OPT-1.3b on one node (paraphrased launch script)
OUTPUT=$1
ZERO_STAGE=$2
if [ "$OUTPUT" == "" ]; then
    OUTPUT=./output
fi
if [ "$ZERO_STAGE" == "" ]; then
    ZERO_STAGE=2
fi
mkdir -p $OUTPUT

deepspeed main.py \
   --model_name_or_path facebook/opt-1.3b \
   --per_device_train_batch_size 8 \
   --learning_rate 9.65e-6 \
   --weight_decay 0. \
   --num_train_epochs 16 \
   --gradient_accumulation_steps 1 \
   --lr_scheduler_type cosine \
   --num_warmup_steps 0 \
   --zero_stage $ZERO_STAGE \
   --deepspeed \
   &> $OUTPUT/training.log
