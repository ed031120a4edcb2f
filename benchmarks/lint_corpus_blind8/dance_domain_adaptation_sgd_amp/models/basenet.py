import torch.nn as nn
import torch.nn.functional as F
from torchvision import models


class ResBase(nn.Module):
    def __init__(self, option="resnet50", pret=True, unit_size=100):
        super().__init__()
        self.dim = 512 if option == "resnet18" else 2048
        backbone = getattr(models, option)(pretrained=pret)
        self.features = nn.Sequential(*list(backbone.children())[:-1])

    def forward(self, x):
        return self.features(x).view(x.size(0), self.dim)


class ResClassifier_MME(nn.Module):
    def __init__(self, num_classes=12, input_size=2048, temp=0.05):
        super().__init__()
        self.fc = nn.Linear(input_size, num_classes, bias=False)
        self.tmp = temp

    def forward(self, x):
        return self.fc(F.normalize(x)) / self.tmp

    def weight_norm(self):
        w = self.fc.weight.data
        self.fc.weight.data = w.div(w.norm(p=2, dim=1, keepdim=True))
