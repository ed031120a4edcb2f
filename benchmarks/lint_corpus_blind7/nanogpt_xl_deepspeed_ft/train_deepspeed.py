import deepspeed
import torch

from model import GPT

learning_rate = 3e-5
gradient_accumulation_steps = 32
max_iters = 50
deepspeed_config = "ds_config_zero2.json"

model = GPT.from_pretrained("gpt2-xl", dict(dropout=0.0))
model.to(device)

optimizer = torch.optim.AdamW(
    model.parameters(),
    lr=learning_rate,
    betas=(0.9, 0.95),
    eps=1e-8,
    weight_decay=0.1,
)
model_engine, optimizer, _, _ = deepspeed.initialize(
    model=model,
    model_parameters=model.parameters(),
    optimizer=optimizer,
    config=deepspeed_config,
)

for iter_num in range(max_iters):
    X, Y = get_batch("train")
    logits, loss = model_engine(X, Y)
    model_engine.backward(loss)
    model_engine.step()
