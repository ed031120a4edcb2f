from torch import optim

UNET = {"optimizer": optim.Adam, "alpha": 1e-3, "gamma": 1e-3}
