import torch

from x_transformers import Decoder, TransformerWrapper
from x_transformers.autoregressive_wrapper import AutoregressiveWrapper

NUM_BATCHES = int(1e5)
BATCH_SIZE = 4
GRADIENT_ACCUMULATE_EVERY = 4
LEARNING_RATE = 1e-4


def make_loader(batch_size):
    raise NotImplementedError


model = AutoregressiveWrapper(TransformerWrapper(num_tokens=256, max_seq_len=1024,
                                                 attn_layers=Decoder(dim=512, depth=6, heads=8)))
model.cuda()
train_loader = make_loader(BATCH_SIZE)
optim = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)

for i in range(NUM_BATCHES):
    model.train()
    for __ in range(GRADIENT_ACCUMULATE_EVERY):
        loss = model(next(train_loader))
        (loss / GRADIENT_ACCUMULATE_EVERY).backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
    optim.step()
    optim.zero_grad()
