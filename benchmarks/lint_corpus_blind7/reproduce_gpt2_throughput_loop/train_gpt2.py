import torch
import torch.nn as nn


class GPT(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(config.vocab_size, config.n_embd),
            wpe=nn.Embedding(config.block_size, config.n_embd),
            h=nn.ModuleList([Block(config) for _ in range(config.n_layer)]),
            ln_f=nn.LayerNorm(config.n_embd),
        ))
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)


if __name__ == "__main__":
    model = GPT(GPTConfig())
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model = torch.compile(model)
    model.to(device)
    train_loader = DataLoaderLite(B=32, T=1024)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4)
    for i in range(5):
        x, y = train_loader.next_batch()
        x, y = x.to(device), y.to(device)
        optimizer.zero_grad()
        with torch.autocast(device_type="cuda", dtype=torch.bfloat16):
            logits, loss = model(x, y)
        loss.backward()
        optimizer.step()
