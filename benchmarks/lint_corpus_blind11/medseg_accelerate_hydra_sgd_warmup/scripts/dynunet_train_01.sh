accelerate launch --num_cpu_threads_per_process 8 train.py \
data=task1 name=MSD_task01 \
optimizer=adam optimizer.params.lr=1.0e-3 optimizer.params.weight_decay=1.0e-2 \
batch_size.train=8 batch_size.val=16 accumulation_steps=1 \
val_freq=10
