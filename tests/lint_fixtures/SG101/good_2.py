import argparse

import torch.optim as optim
from torch.optim import Adam, NAdam

ap = argparse.ArgumentParser()
ap.add_argument("--weight-decay", type=float, default=0.0)
args = ap.parse_args()

model = object()
# Plain Adam without decay is fine; a decay we cannot see (args) is not reported.
opt_a = Adam(model.parameters(), lr=1e-3)
opt_b = optim.Adam(model.parameters(), lr=1e-3, weight_decay=0)
opt_c = optim.Adam(model.parameters(), lr=1e-3, weight_decay=args.weight_decay)
opt_d = NAdam(model.parameters(), lr=1e-3, weight_decay=0.0)
