import torch.nn as nn

model_name = "gmnet"
num_bands = 6
lr = 0.002
batch_size_tra = 16
num_epoch = 200
loss_bce = nn.BCELoss()
