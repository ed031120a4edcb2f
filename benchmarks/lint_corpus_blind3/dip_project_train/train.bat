python train.py ^
--batch_size 4 ^
--n_epochs 5 ^
--lr 0.0001 ^
--lr_decay_epochs 15 30 50 ^
--lr_decay_values 0.0001 0.00002 0.00001 ^
--weight_decay 0.0001 ^
--optimizer adam ^
--model TestNet
