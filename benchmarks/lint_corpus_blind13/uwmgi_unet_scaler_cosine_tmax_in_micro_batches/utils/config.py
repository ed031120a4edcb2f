import torch


class CFG:
    def __init__(self, train_bs=128, epochs=15, lr=2e-3, scheduler="CosineAnnealingLR", min_lr=1e-6,
                 fold_no=0, backbone="efficientnet-b1"):
        self.backbone = backbone
        self.train_bs = train_bs
        self.epochs = epochs
        self.lr = lr
        self.scheduler = scheduler
        self.min_lr = min_lr
        self.T_max = int(30000 / train_bs * epochs) + 50
        self.T_0 = 25
        self.wd = 1e-6
        self.n_accumulate = max(1, 32 // train_bs)
        self.num_classes = 3
        self.device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
        self.fold_no = fold_no


def initialise_config(args):
    return CFG(**args)
