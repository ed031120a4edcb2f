import torch

from parameters import args
from STGNN import gginet
from trainer import Trainer


def main(data, loader, device):
    model = gginet("GMAT", 84, device, dropout=args.dropout, layer_norm_affline=True)
    engine = Trainer(model, args.learning_rate, args.weight_decay, args.clip, args.step_size1, args.seq_out_len, data["scaler"], device)
    for epoch in range(args.epochs + 1):
        for x, y in loader.get_iterator():
            x = torch.Tensor(x).to(device).transpose(1, 3)
            y = torch.Tensor(y).to(device).transpose(1, 3)
            engine.train(x, y[:, 0, :, :])
