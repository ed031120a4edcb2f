"""SGD with weight decay over a classifier of the file that holds one biased Linear and a
bias-free one: the message names only the biases, the one kind the class has."""

import torch.nn as nn
import torch.optim as optim


class Head(nn.Module):
    def __init__(self, num_classes=12, input_size=2048):
        super().__init__()
        self.hidden = nn.Linear(input_size, 256, bias=False)
        self.fc = nn.Linear(256, num_classes)

    def forward(self, x):
        return self.fc(self.hidden(x))


classifier = Head()
opt_c = optim.SGD(list(classifier.parameters()), lr=1.0, momentum=0.9, weight_decay=0.0005)
