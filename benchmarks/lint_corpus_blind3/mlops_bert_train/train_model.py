import torch
from transformers import AdamW

from model import myModel

train_dataloader = torch.load("../../data/processed/train.pt")
model = myModel()
epochs = 5
grad_acc_steps = 1
learning_rate = 1e-5
optimizer = AdamW(model.parameters(), lr=learning_rate, eps=1e-8)

for _ in range(epochs):
    model.train()
    model.zero_grad()
    for step, batch in enumerate(train_dataloader):
        outputs = model(batch[0], token_type_ids=None, attention_mask=batch[1], labels=batch[2])
        loss = outputs[0]
        loss = loss / grad_acc_steps
        loss.backward()
        if (step + 1) % grad_acc_steps == 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            model.zero_grad()
