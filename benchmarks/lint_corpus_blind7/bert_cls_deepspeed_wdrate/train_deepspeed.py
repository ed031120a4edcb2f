import argparse

import torch
from torch.optim import AdamW
from transformers import BertForSequenceClassification, deepspeed


def finetuning(epochs):
    for epoch in range(epochs):
        for index, batch in enumerate(train_dataloader):
            input_ids, input_mask, labels = tuple(t.to(device) for t in batch)
            model_engine.zero_grad()
            outputs = model_engine(input_ids, attention_mask=input_mask, labels=labels)
            loss = outputs.loss.mean()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model_engine.parameters(), 1.0)
            optimizer.step()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=7)
    parser.add_argument("--batch_size", type=int, default=64)
    args = parser.parse_args()
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model = BertForSequenceClassification.from_pretrained("chinese-bert-wwm", num_labels=2).to(device)
    if torch.cuda.device_count() > 1:
        model_engine, _, _, _ = deepspeed.initialize(model=model, config_params="deepspeed_config.json")

    param_optimizer = list(model.named_parameters())
    no_decay = ["bias", "LayerNorm.weight"]
    grouped = [
        {"params": [p for n, p in param_optimizer if not any(nd in n for nd in no_decay)], "weight_decay_rate": 0.1},
        {"params": [p for n, p in param_optimizer if any(nd in n for nd in no_decay)], "weight_decay_rate": 0.0},
    ]
    optimizer = AdamW(grouped, lr=1e-5)
    finetuning(epochs=args.epochs)
