import pytorch_lightning as pl
import torch
import torch.nn as nn

from model import BERT


class BERT4REC(pl.LightningModule):
    def __init__(self, args):
        super().__init__()
        self.learning_rate = args.learning_rate
        self.weight_decay = args.weight_decay
        self.decay_step = args.decay_step
        self.gamma = args.gamma
        self.model = BERT(vocab_size=args.item_size + 2, max_len=args.max_len, hidden_dim=args.hidden_dim, layer_num=args.layer_num, head_num=args.head_num)
        self.out = nn.Linear(args.hidden_dim, args.item_size + 1)
        self.criterion = nn.CrossEntropyLoss(ignore_index=0)

    def training_step(self, batch, batch_idx):
        seq, labels = batch
        preds = self.out(self.model(seq))
        loss = self.criterion(preds.transpose(1, 2), labels)
        self.log("train_loss", loss)
        return loss

    def configure_optimizers(self):
        no_decay = ["bias", "LayerNorm.weight"]
        grouped = [
            {"params": [p for n, p in self.named_parameters() if not any(nd in n for nd in no_decay)], "weight_decay": self.weight_decay},
            {"params": [p for n, p in self.named_parameters() if any(nd in n for nd in no_decay)], "weight_decay": 0.0},
        ]
        optimizer = torch.optim.Adam(grouped, lr=self.learning_rate)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=self.decay_step, gamma=self.gamma)
        return {"optimizer": optimizer, "lr_scheduler": scheduler, "monitor": "val_loss"}

    @staticmethod
    def add_to_argparse(parser):
        parser.add_argument("--learning_rate", type=float, default=1e-3)
        parser.add_argument("--hidden_dim", type=int, default=256)
        parser.add_argument("--weight_decay", type=float, default=0.01)
        parser.add_argument("--decay_step", type=int, default=25)
        parser.add_argument("--gamma", type=float, default=0.1)
        return parser
