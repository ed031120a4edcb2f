import torch.nn.functional as F
from torch import nn

import config as CFG
from modules import ImageEncoder, ProjectionHead, TextEncoder


class CLIPModel(nn.Module):
    def __init__(self, temperature=CFG.temperature):
        super().__init__()
        self.image_encoder = ImageEncoder()
        self.text_encoder = TextEncoder()
        self.image_projection = ProjectionHead(embedding_dim=CFG.image_embedding)
        self.text_projection = ProjectionHead(embedding_dim=CFG.text_embedding)
        self.temperature = temperature

    def forward(self, batch):
        img = self.image_projection(self.image_encoder(batch["image"]))
        txt = self.text_projection(self.text_encoder(batch["input_ids"], batch["attention_mask"]))
        logits = txt @ img.T / self.temperature
        targets = F.softmax((img @ img.T + txt @ txt.T) / 2 * self.temperature, dim=-1)
        texts_loss = (-targets * F.log_softmax(logits, dim=-1)).sum(1)
        images_loss = (-targets.T * F.log_softmax(logits.T, dim=-1)).sum(1)
        return ((images_loss + texts_loss) / 2.0).mean()
