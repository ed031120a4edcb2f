"""BERT-Base phase-1 pretraining config (a Python file loaded as a dict of its globals)."""

import torch

PHASE = 1
OPTIMIZER = "adam"

GLOBAL_BATCH_SIZE = 8192
BATCH_SIZE = 256
STEPS = 28125
LR = 1e-4
WARMUP_STEPS = int(0.01 * STEPS)

# accumulation steps are computed by the trainer from the batch sizes and the world size
seed = 42
clip_grad_norm = 1.0
# enable FP16 training with AMP
dtype = torch.float16
