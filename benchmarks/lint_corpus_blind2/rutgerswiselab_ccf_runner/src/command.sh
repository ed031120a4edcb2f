# train a base model and save.
# python main.py --rank 1 --model_name GRU4Rec --optimizer Adam --lr 0.001 --dataset [DATASET] --metric ndcg@10,precision@1 --l2 1e-5 --max_his 10 --random_seed 2018 --gpu 3 --counterfactual_constraint 0
