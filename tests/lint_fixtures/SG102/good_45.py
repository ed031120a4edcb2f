"""SGD with weight decay over a classifier of the file that is a single bias-free Linear (the
DANCE / MME classifier): it holds one weight matrix and nothing that should not decay."""

import torch.nn as nn
import torch.optim as optim


class ResClassifier(nn.Module):
    def __init__(self, num_classes=12, input_size=2048, temp=0.05):
        super().__init__()
        self.fc = nn.Linear(input_size, num_classes, bias=False)
        self.tmp = temp

    def forward(self, x):
        return self.fc(x) / self.tmp


C1 = ResClassifier()
opt_c1 = optim.SGD(list(C1.parameters()), lr=1.0, momentum=0.9, weight_decay=0.0005, nesterov=True)
