python ./codet5.py \
    --do_train \
    --model_path=Salesforce/codet5-small \
    --tokenizer_path=Salesforce/codet5-small \
    --epochs 1 \
    --batch_size 16 \
    --learning_rate 1e-4 \
    --max_grad_norm 1.0
