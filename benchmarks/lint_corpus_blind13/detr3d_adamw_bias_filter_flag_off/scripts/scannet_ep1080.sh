#!/bin/bash
python main.py \
--dataset_name scannet \
--max_epoch 1080 \
--nqueries 256 \
--matcher_giou_cost 2 \
--loss_giou_weight 1 \
--loss_no_object_weight 0.25 \
--checkpoint_dir outputs/scannet_ep1080
