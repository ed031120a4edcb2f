from text import symbols


class AttrDict(dict):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.__dict__ = self


def create_hparams(hparams_string=None):
    hparams = AttrDict(
        {
            "epochs": 500,
            "iters_per_checkpoint": 1000,
            "seed": 1234,
            "fp16_run": False,
            "distributed_run": False,
            "n_symbols": len(symbols),
            "symbols_embedding_dim": 512,
            "postnet_n_convolutions": 5,
            "use_saved_learning_rate": False,
            "learning_rate": 1e-3,
            "weight_decay": 1e-6,
            "grad_clip_thresh": 1.0,
            "batch_size": 64,
        }
    )
    if hparams_string:
        hparams.parse(hparams_string)
    return hparams
