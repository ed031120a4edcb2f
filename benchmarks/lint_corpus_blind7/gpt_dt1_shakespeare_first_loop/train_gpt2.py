import torch

device = "cuda" if torch.cuda.is_available() else "cpu"
train_loader = DataLoaderLite(B=4, T=32)
model = GPT(GPT2Config())
model.to(device)

optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4)
for i in range(50):
    x, y = train_loader.next_batch()
    x, y = x.to(device), y.to(device)
    optimizer.zero_grad()
    logits, loss = model(x, y)
    loss.backward()
    optimizer.step()
