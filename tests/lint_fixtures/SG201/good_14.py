# Contrastive training with a cached-feature window (the GradCache / OpenCLIP `accum_freq` shape):
# every micro-batch's embeddings are first computed without a graph and kept; once the window is
# full, each micro-batch is embedded again with a graph and the contrastive loss is computed over
# its live embeddings joined with the cached embeddings of the others. Each of those losses is the
# loss of the whole window, so the gradients add up to the big-batch gradient: no division.
import torch
import torch.nn.functional as F


def clip_loss(image_emb, text_emb, temperature):
    logits = image_emb @ text_emb.t() / temperature
    labels = torch.arange(logits.shape[0], device=logits.device)
    return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.t(), labels)) / 2


def train_epoch(model, loader, optimizer, accum_freq, temperature=0.07):
    cached_images, cached_texts, cached_emb = [], [], {"image": [], "text": []}
    for i, (images, texts) in enumerate(loader):
        with torch.no_grad():
            out = model(images, texts)
            for key, emb in out.items():
                cached_emb[key].append(emb)
        cached_images.append(images)
        cached_texts.append(texts)
        if (i + 1) % accum_freq != 0:
            continue
        optimizer.zero_grad()
        for j in range(accum_freq):
            out = model(cached_images[j], cached_texts[j])
            image_emb = torch.cat(cached_emb["image"][:j] + [out["image"]] + cached_emb["image"][j + 1 :])
            text_emb = torch.cat(cached_emb["text"][:j] + [out["text"]] + cached_emb["text"][j + 1 :])
            loss = clip_loss(image_emb, text_emb, temperature)
            loss.backward()
        optimizer.step()
        cached_images, cached_texts, cached_emb = [], [], {"image": [], "text": []}
