import torch
import torch.nn as nn
import torch.nn.functional as F
from transformers import CLIPModel


class Adapter(nn.Module):
    def __init__(self, dim=512, rank=8):
        super().__init__()
        self.down = nn.Linear(dim, rank)
        self.mid = nn.Linear(rank, rank)
        self.up = nn.Linear(rank, dim)

    def forward(self, x):
        return self.up(self.mid(self.down(x)))


class MixtureOfAdapters(nn.Module):
    def __init__(self, num_experts=8, dim=512):
        super().__init__()
        self.experts = nn.ModuleList([Adapter(dim) for _ in range(num_experts)])
        self.gate = nn.Linear(dim, num_experts)

    def forward(self, x):
        w = F.softmax(self.gate(x), dim=-1)
        return torch.sum(w.unsqueeze(2) * torch.stack([e(x) for e in self.experts], dim=-1), dim=-1)


class FusionLayer(nn.Module):
    def __init__(self, num_experts, hidden=768):
        super().__init__()
        self.norm = nn.LayerNorm(hidden)
        self.attn_text = nn.MultiheadAttention(hidden, 8, batch_first=True)
        self.attn_image = nn.MultiheadAttention(hidden, 8, batch_first=True)
        self.adapter_text = MixtureOfAdapters(num_experts, hidden)
        self.adapter_image = MixtureOfAdapters(num_experts, hidden)

    def forward(self, text, image):
        t = self.norm(text)
        v = self.norm(image)
        t_att, _ = self.attn_text(t, t, t)
        v_att, _ = self.attn_image(v, v, v)
        return text + t_att + self.adapter_text(image), image + v_att + self.adapter_image(text)


class Model(nn.Module):
    def __init__(self, args):
        super().__init__()
        self.model = CLIPModel.from_pretrained(args.model_path)
        self.trans = FusionLayer(args.num_experts)
        self.classifier = nn.Linear(args.text_size, args.label_number)
        self.loss_fct = nn.CrossEntropyLoss()
        for module in (self.model, self.classifier):
            for p in module.parameters():
                p.requires_grad = False
        for name, child in self.trans.named_children():
            trainable = "adapter" in name or "attn" in name
            for p in child.parameters():
                p.requires_grad = trainable

    def forward(self, inputs, labels=None):
        out = self.model(**inputs)
        text = self.model.text_projection(out["text_model_output"]["last_hidden_state"])
        image = self.model.visual_projection(out["vision_model_output"]["last_hidden_state"])
        text, image = self.trans(text, image)
        logits = self.classifier(text.mean(1) + image.mean(1))
        return self.loss_fct(logits, labels), F.softmax(logits, dim=-1)
