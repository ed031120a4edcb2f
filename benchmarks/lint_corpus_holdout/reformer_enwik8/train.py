import torch

from reformer_pytorch import ReformerLM
from reformer_pytorch.generative_tools import TrainingWrapper

NUM_BATCHES = int(1e5)
BATCH_SIZE = 4
GRADIENT_ACCUMULATE_EVERY = 4
LEARNING_RATE = 1e-4
SEQ_LEN = 4096


def cycle(loader):
    while True:
        yield from loader


def enwik8_loader(batch_size, seq_len):
    raise NotImplementedError


model = TrainingWrapper(
    ReformerLM(num_tokens=256, dim=512, depth=6, heads=8, max_seq_len=SEQ_LEN, causal=True)
)
model.cuda()
train_loader = cycle(enwik8_loader(BATCH_SIZE, SEQ_LEN))
optim = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)

for i in range(NUM_BATCHES):
    model.train()
    for __ in range(GRADIENT_ACCUMULATE_EVERY):
        loss = model(next(train_loader), return_loss=True)
        loss.backward()

    print(f"training loss: {loss.item()}")
    torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
    optim.step()
    optim.zero_grad()
