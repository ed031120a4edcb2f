import segmentation_models_pytorch as smp


def build_model(cfg):
    model = smp.Unet(encoder_name=cfg.backbone, encoder_weights="imagenet", in_channels=3,
                     classes=cfg.num_classes, activation=None)
    model.to(cfg.device)
    return model
