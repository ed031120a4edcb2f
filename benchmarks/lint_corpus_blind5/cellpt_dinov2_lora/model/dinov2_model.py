import torch.nn as nn
from transformers import Dinov2Model


class DINOv2Backbone(nn.Module):
    def __init__(self, model_name="facebook/dinov2-base", freeze=True):
        super().__init__()
        self.model = Dinov2Model.from_pretrained(model_name)
        self.hidden_size = self.model.config.hidden_size
        if freeze:
            for p in self.model.parameters():
                p.requires_grad = False

    def forward(self, x):
        return self.model(pixel_values=x).last_hidden_state[:, 0]


class DINOv2Classifier(nn.Module):
    def __init__(self, num_classes, model_name="facebook/dinov2-base", freeze=True):
        super().__init__()
        self.backbone = DINOv2Backbone(model_name=model_name, freeze=freeze)
        self.classifier = nn.Linear(self.backbone.hidden_size, num_classes)

    def forward(self, x):
        return self.classifier(self.backbone(x))


def get_model(num_classes, freeze_backbone=True):
    return DINOv2Classifier(num_classes=num_classes, freeze=freeze_backbone)
