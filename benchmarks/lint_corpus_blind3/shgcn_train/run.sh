python train.py --dataset Cora --lr 0.4 --weight_decay 5e-4 --dropout 0.4 --dim 8
python train.py --dataset Squirrel --lr 0.05 --weight_decay 0.0 --dropout 0.7 --dim 32
python train.py --dataset Actor --lr 0.2 --weight_decay 5e-3 --dropout 0.0 --dim 8
