import torch

from routing_transformer import RoutingTransformerLM
from routing_transformer.autoregressive_wrapper import AutoregressiveWrapper

NUM_BATCHES = int(1e5)
BATCH_SIZE = 4
GRADIENT_ACCUMULATE_EVERY = 4
LEARNING_RATE = 1e-4
VALIDATE_EVERY = 100
SEQ_LEN = 4096


def cycle(loader):
    while True:
        for batch in loader:
            yield batch


def make_loaders(batch_size, seq_len):
    raise NotImplementedError


net = RoutingTransformerLM(num_tokens=256, dim=512, depth=6, max_seq_len=SEQ_LEN, heads=8,
                           causal=True, window_size=128)
model = AutoregressiveWrapper(net)
model.cuda()
train_set, val_set = make_loaders(BATCH_SIZE, SEQ_LEN)
train_loader, val_loader = cycle(train_set), cycle(val_set)
optim = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)

for i in range(NUM_BATCHES):
    model.train()

    for __ in range(GRADIENT_ACCUMULATE_EVERY):
        loss = model(next(train_loader), return_loss=True)
        loss.backward()

    torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
    optim.step()
    optim.zero_grad()

    if i % VALIDATE_EVERY == 0:
        model.eval()
        with torch.no_grad():
            loss = model(next(val_loader), return_loss=True)
            print(f"validation loss: {loss.item()}")
