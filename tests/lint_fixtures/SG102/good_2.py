import torch

import stepguard

model = torch.nn.Linear(3, 3)
opt = torch.optim.AdamW(stepguard.param_groups(model, weight_decay=0.1), lr=3e-4)
# No decay at all: nothing to exclude.
plain = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
