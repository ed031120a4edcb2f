import argparse

import torch
from torch.cuda.amp import GradScaler, autocast
from transformers import AdamW, BertForQuestionAnswering

scaler = GradScaler(enabled=True)
device = torch.device("cuda")


def fp32_train(model, optimizer, loader):
    model.train()
    for batch in loader:
        optimizer.zero_grad()
        input_ids, attention_mask, token_type_ids, start, end = (t.to(device) for t in batch)
        loss = model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids, start_positions=start, end_positions=end).loss
        loss.backward()
        optimizer.step()


def amp_train(model, optimizer, loader):
    model.train()
    for batch in loader:
        input_ids, attention_mask, token_type_ids, start, end = (t.to(device) for t in batch)
        optimizer.zero_grad(set_to_none=True)
        with autocast():
            loss = model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids, start_positions=start, end_positions=end).loss
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("-epoch", type=int, default=5)
    parser.add_argument("-precision", type=str, default=False)
    parser.add_argument("-batch_size", type=int, default=256)
    args = parser.parse_args()
    loader = torch.load("data/SQuAD/train_loader.pt")
    model = BertForQuestionAnswering.from_pretrained("bert-base-uncased").to(device)
    optimizer = AdamW(model.parameters(), lr=5e-5)
    for epoch in range(1, args.epoch + 1):
        if args.precision == "fp32":
            fp32_train(model, optimizer, loader)
        elif args.precision == "amp":
            amp_train(model, optimizer, loader)
