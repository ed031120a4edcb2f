# Hugging Face style: outputs.loss, tqdm(enumerate(...)), `step % k == k - 1`.
from torch.optim import AdamW
from tqdm import tqdm


def train(model, dataloader, gradient_accumulation_steps):
    optimizer = AdamW(model.parameters(), lr=5e-5)
    model.train()
    for step, batch in tqdm(enumerate(dataloader), total=len(dataloader)):
        outputs = model(**batch)
        loss = outputs.loss
        loss.backward()
        if step % gradient_accumulation_steps == gradient_accumulation_steps - 1:
            optimizer.step()
            optimizer.zero_grad()
