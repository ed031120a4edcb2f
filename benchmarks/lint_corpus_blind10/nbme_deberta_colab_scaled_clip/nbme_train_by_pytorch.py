import numpy as np
import torch
import torch.nn as nn
from transformers import AdamW, AutoConfig, AutoModel, get_cosine_schedule_with_warmup

device = torch.device("cuda")
scaler = torch.cuda.amp.GradScaler()


class GCF:
    MODEL_NAME = "microsoft/deberta-v3-large"
    CONFIG = AutoConfig.from_pretrained(MODEL_NAME)
    LR = 2e-5
    WEIGHT_DECAY = 0.01
    N_FOLDS = 5
    BS = 4
    ACCUMULATE = 1
    N_EPOCHS = 5
    WARM_UP_RATIO = 0.0


class NBMEModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.transformer = AutoModel.from_pretrained(GCF.MODEL_NAME, output_hidden_states=True)
        self.fc_dropout = nn.Dropout(0.2)
        self.classifier = nn.Linear(GCF.CONFIG.hidden_size, 1)

    def forward(self, input_ids, attention_mask, token_type_ids, target=None):
        h = self.transformer(input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)["last_hidden_state"]
        h = self.classifier(self.fc_dropout(h)).squeeze(-1)
        if target is not None:
            loss = nn.BCEWithLogitsLoss(reduction="none")(h, target)
            loss = torch.masked_select(loss, target != -1).mean()
        else:
            loss = 0
        loss = loss / GCF.ACCUMULATE
        return loss, h


def train_loop(model, train_dloader, optimizer, scheduler):
    losses = []
    model.train()
    global_step = 0
    for idx, d in enumerate(train_dloader):
        with torch.cuda.amp.autocast():
            loss, _ = model(d["sequences"].to(device), d["mask"].to(device), d["type_ids"].to(device), d["target"].to(device))
        scaler.scale(loss).backward()
        grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1000)
        if global_step % GCF.ACCUMULATE == 0:
            scaler.step(optimizer)
            scaler.update()
            optimizer.zero_grad()
            scheduler.step()
        losses.append(loss.item())
        global_step += 1
    return losses, grad_norm


def get_optimizer_params(model):
    no_decay = ["bias", "LayerNorm.bias", "LayerNorm.weight"]
    return [
        {"params": [p for n, p in model.transformer.named_parameters() if not any(nd in n for nd in no_decay)], "lr": GCF.LR, "weight_decay": GCF.WEIGHT_DECAY},
        {"params": [p for n, p in model.transformer.named_parameters() if any(nd in n for nd in no_decay)], "lr": GCF.LR, "weight_decay": 0.0},
        {"params": [p for n, p in model.named_parameters() if "transformer" not in n], "lr": GCF.LR, "weight_decay": 0.0},
    ]


def run_fold(train_dloader):
    model = NBMEModel()
    model.to(device)
    optimizer = AdamW(get_optimizer_params(model), lr=GCF.LR, weight_decay=GCF.WEIGHT_DECAY)
    max_train_steps = GCF.N_EPOCHS * len(train_dloader) // GCF.ACCUMULATE
    warmup_steps = int(max_train_steps * GCF.WARM_UP_RATIO)
    scheduler = get_cosine_schedule_with_warmup(optimizer, num_warmup_steps=warmup_steps, num_training_steps=max_train_steps)
    for epoch in range(GCF.N_EPOCHS):
        losses, _ = train_loop(model, train_dloader, optimizer, scheduler)
    return np.mean(losses)
