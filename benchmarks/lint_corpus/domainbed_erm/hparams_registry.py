import numpy as np

SMALL_IMAGES = ["Debug28", "RotatedMNIST", "ColoredMNIST"]


def _hparams(algorithm, dataset, random_seed):
    hparams = {}

    def _hparam(name, default_val, random_val_fn):
        random_state = np.random.RandomState(random_seed)
        hparams[name] = (default_val, random_val_fn(random_state))

    _hparam("resnet18", False, lambda r: False)
    if dataset in SMALL_IMAGES:
        _hparam("lr", 1e-3, lambda r: 10 ** r.uniform(-4.5, -2.5))
        _hparam("weight_decay", 0.0, lambda r: 0.0)
    else:
        _hparam("lr", 5e-5, lambda r: 10 ** r.uniform(-5, -3.5))
        _hparam("weight_decay", 0.0, lambda r: 10 ** r.uniform(-6, -2))
    return hparams


def default_hparams(algorithm, dataset):
    return {a: b for a, (b, c) in _hparams(algorithm, dataset, 0).items()}


def random_hparams(algorithm, dataset, seed):
    return {a: c for a, (b, c) in _hparams(algorithm, dataset, seed).items()}
