import argparse

import torch

from model import ConvE


def main(args, train_batcher, num_entities, num_relations):
    model = ConvE(args, num_entities, num_relations)
    model.cuda()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=args.l2)
    for epoch in range(args.epochs):
        model.train()
        for i, str2var in enumerate(train_batcher):
            opt.zero_grad()
            e1, rel = str2var["e1"], str2var["rel"]
            e2_multi = str2var["e2_multi1_binary"].float()
            e2_multi = ((1.0 - args.label_smoothing) * e2_multi) + (1.0 / e2_multi.size(1))
            pred = model.forward(e1, rel)
            loss = model.loss(pred, e2_multi)
            loss.backward()
            opt.step()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Link prediction for knowledge graphs")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=1000)
    parser.add_argument("--lr", type=float, default=0.003)
    parser.add_argument("--l2", type=float, default=0.0, help="Weight decay value to use in the optimizer. Default: 0.0")
    parser.add_argument("--embedding-dim", type=int, default=200)
    parser.add_argument("--use-bias", action="store_true")
    parser.add_argument("--label-smoothing", type=float, default=0.1)
    parser.add_argument("--hidden-size", type=int, default=9728)
    args = parser.parse_args()
    main(args, train_batcher=None, num_entities=14541, num_relations=237)
