import torch

EMBEDDING_NAMES = ("embed_tokens", "lm_head")


def split_for_muon(model):
    matrices, vectors, embeddings = [], [], []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        if p.ndim < 2:
            vectors.append(p)
        elif any(key in name for key in EMBEDDING_NAMES):
            embeddings.append((name, p))
        else:
            matrices.append(p)
    return matrices, vectors, embeddings


def build_optimizers(model, wd=0.01):
    matrices, vectors, embeddings = split_for_muon(model)
    return [
        torch.optim.Muon(matrices, lr=0.02, weight_decay=0.1),
        torch.optim.AdamW(vectors, lr=3e-4, weight_decay=0.0),
        torch.optim.AdamW(embeddings, lr=3e-4, weight_decay=0.0),
    ]
