python -m src.run_decision_transformer \
    --d_model 128 \
    --n_layers 1 \
    --learning_rate 0.0001 \
    --batch_size 128 \
    --train_epochs 5000 \
    --weight_decay 0.001 \
    --seed 1
