import torch

from compressive_transformer_pytorch import CompressiveTransformer
from compressive_transformer_pytorch.autoregressive_wrapper import AutoregressiveWrapper

NUM_BATCHES = int(1e5)
BATCH_SIZE = 4
GRADIENT_ACCUMULATE_EVERY = 4  # declared with the other constants, never used by the loop
LEARNING_RATE = 1e-4
SEQ_LEN = 512
NUM_SEGMENTS = 4


def segment_loader(batch_size, total_len):
    raise NotImplementedError


model = AutoregressiveWrapper(CompressiveTransformer(num_tokens=256, dim=512, depth=8, seq_len=SEQ_LEN, heads=8))
model.cuda()
train_loader = segment_loader(BATCH_SIZE, SEQ_LEN * NUM_SEGMENTS)
optim = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)

for i in range(NUM_BATCHES):
    model.train()
    # the wrapper yields one (lm loss, aux loss) pair per segment; every segment is its own step
    for mlm_loss, aux_loss in model(next(train_loader), return_loss=True):
        loss = mlm_loss + aux_loss
        loss.backward()
        print(f"training loss: {mlm_loss.item():.4f} | aux_loss: {aux_loss.item():.4f}")
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
        optim.step()
        optim.zero_grad()
