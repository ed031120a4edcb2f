import torch.optim as optim
from torch.optim import Adam, NAdam

model = object()
# Plain Adam without decay is fine, and so is a decay that is provably 0.
opt_a = Adam(model.parameters(), lr=1e-3)
opt_b = optim.Adam(model.parameters(), lr=1e-3, weight_decay=0)
opt_d = NAdam(model.parameters(), lr=1e-3, weight_decay=0.0)
