import argparse

import torch
from transformers import GPT2LMHeadModel

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--lr", type=float, default=0.00005)
    parser.add_argument("--train", action="store_true", default=False)
    args = parser.parse_args()

    def train_epoch():
        model.train()
        for step, batch in enumerate(train_dataloader):
            model.zero_grad()
            ids, masks = batch[0].to(device), batch[1].to(device)
            loss = model(ids, attention_mask=masks, labels=ids)[0]
            loss.backward()
            optimizer.step()

    model = GPT2LMHeadModel.from_pretrained("gpt2").to(device)
    train_dataloader = make_loader(args.batch_size)
    if args.train:
        optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
        for epoch in range(args.epochs):
            train_epoch()


if __name__ == "__main__":
    main()
