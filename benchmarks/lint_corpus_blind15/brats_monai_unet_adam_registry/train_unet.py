import torch
from monai.losses import DiceCELoss
from monai.networks.nets import UNet
from torch.optim.lr_scheduler import ExponentialLR

from data.containers import train_test_val_dataloaders
from model_params import UNET
from nn.nn import train

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
unet_model = UNet(
    spatial_dims=3,
    in_channels=1,
    out_channels=1,
    channels=(16, 32, 64, 128, 256),
    strides=(2, 2, 2, 2),
    num_res_units=2,
).to(device)
loss_function = DiceCELoss(sigmoid=True)
optimizer = UNET["optimizer"](unet_model.parameters(), UNET["alpha"])
scheduler = ExponentialLR(optimizer, gamma=UNET["gamma"])
train_dataloader, test_dataloader, validation_dataloader = train_test_val_dataloaders(0.7, 0.2, 0.1, {})
best_model_wts = train(device, unet_model, loss_function, optimizer, scheduler, train_dataloader, epochs=10)
