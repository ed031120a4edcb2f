from types import SimpleNamespace


def create_hparams(hparams_string=None):
    hparams = SimpleNamespace(
        epochs=5,
        iters_per_checkpoint=10,
        seed=1234,
        fp16_run=False,
        distributed_run=False,
        n_symbols=148,
        symbols_embedding_dim=512,
        learning_rate=1e-3,
        weight_decay=1e-6,
        grad_clip_thresh=1.0,
        batch_size=64,
    )
    if hparams_string:
        for item in hparams_string.split(","):
            key, value = item.split("=")
            setattr(hparams, key, type(getattr(hparams, key))(value))
    return hparams
