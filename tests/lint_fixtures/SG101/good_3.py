import torch
from torch.optim import Adam, RAdam

import stepguard

model = torch.nn.Linear(4, 2)
groups = stepguard.param_groups(model, weight_decay=0.1)
# Decoupled modes of the Adam family are fine.
opt1 = Adam(groups, lr=1e-3, decoupled_weight_decay=True)
opt2 = RAdam(groups, 1e-3, (0.9, 0.999), 1e-8, 0.1, True)
opt3 = torch.optim.AdamW(groups, lr=1e-3)
