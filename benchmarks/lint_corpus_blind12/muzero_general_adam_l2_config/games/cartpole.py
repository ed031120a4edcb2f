"""Paraphrase of games/cartpole.py (werner-duvaud/muzero-general): the training part of the config."""


class MuZeroConfig:
    def __init__(self):
        self.encoding_size = 64
        self.hidden_size = 32
        self.training_steps = 1000
        self.batch_size = 128
        self.checkpoint_interval = 10
        self.value_loss_weight = 1
        self.training_device = "cpu"

        self.weight_decay = 1e-4  # L2 weights regularization
        self.momentum = 0.9

        self.lr_init = 0.005
        self.lr_decay_rate = 0.1
        self.lr_decay_steps = 3500
