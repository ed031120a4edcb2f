import torch
from torch.cuda import amp
from torch.utils.data import DataLoader

from src.models.model import BiFPN_CrossTD
from src.utils.schedulers import WarmupCosineSchedule
from src.utils.train_utils import train_model


def run(config, train_dataset, criterion1, fpn_config):
    for _fold in range(config.folds):
        train_loader = DataLoader(dataset=train_dataset, batch_size=config.batch_size, shuffle=True, num_workers=4, drop_last=True)
        scaler = amp.GradScaler()
        model = BiFPN_CrossTD(fpn_config, "tf_efficientnet_b0_ns", hidden_dim=512, out_sz=config.output_H, num_classes=config.n_classes).cuda()
        optimizer = torch.optim.Adam(model.parameters(), lr=config.lr, betas=(0.9, 0.999), eps=1e-08, weight_decay=1e-6)

        updates_per_epoch = len(train_loader)
        num_updates = int(config.epochs * updates_per_epoch)
        scheduler = WarmupCosineSchedule(warmup=0.002, t_total=num_updates)
        for epoch in range(config.epochs):
            train_model(model, train_loader, criterion1, config, epoch, optimizer, scaler=scaler, scheduler=scheduler)
        break
