#!/usr/bin/env bash
root=~/Data/experiment/Onera_S2_Change_Detection_dataset
img_pair_txt=${root}/changeDet_test.txt
batch_size=32
learning_rate=0.001
weight_decay=0.0001
num_epochs=20
python thawSlumpChangeDet/siamese_thawslump_cd.py ${root} ${img_pair_txt} --dotrain \
-b ${batch_size} -l ${learning_rate} -w ${weight_decay} -e ${num_epochs}
