import torch
from accelerate import Accelerator
from torch_ema import ExponentialMovingAverage

from experiment_config import config


def train_multitask(train_loader, valid_loader):
    accelerator = Accelerator(mixed_precision="fp16")
    feature_extractor = I3D(num_classes=1, input_channels=3, pre_trained=True, freeze_bn=True, extract_feature=True)
    model = MultiTaskModel(feature_extractor, aux_model=SegmentationHead(in_channels=1024, out_channels=1))
    ema = ExponentialMovingAverage(model.parameters(), decay=config.EMA_RATE)
    loss_function = torch.nn.BCEWithLogitsLoss()
    optimizer = torch.optim.Adam(
        model.parameters(),
        lr=config.LEARNING_RATE,
        weight_decay=config.WEIGHT_DECAY,
    )
    if config.SCHEDULER == "step":
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=20, gamma=0.3)
    elif config.SCHEDULER == "step_custom":
        scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=config.DOWNSTEPS, gamma=0.3)
    model, optimizer, train_loader, valid_loader, scheduler = accelerator.prepare(
        model, optimizer, train_loader, valid_loader, scheduler
    )
    for epoch in range(config.EPOCHS):
        model.train()
        for batch in train_loader:
            inputs, masks, labels = batch["image"], batch["mask"], batch["label"].float()
            optimizer.zero_grad()
            cls_out, seg_out = model(features_main=model.extract_feature(inputs))
            loss = loss_function(cls_out.squeeze(), labels.squeeze()) + config.AUX_LOSS_WEIGHT * dice(seg_out, masks)
            accelerator.backward(loss)
            optimizer.step()
            ema.update()
        scheduler.step()
