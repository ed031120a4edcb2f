"""Neural collaborative filtering on MovieLens-1M: pick one of three configs and train."""

from data import SampleGenerator
from gmf import GMFEngine
from mlp import MLPEngine  # noqa: F401
from neumf import NeuMFEngine  # noqa: F401

gmf_config = {
    "num_epoch": 200,
    "batch_size": 1024,
    "optimizer": "adam",
    "adam_lr": 1e-3,
    "latent_dim": 8,
    "num_negative": 4,
    "l2_regularization": 0,  # 0.01
    "use_cuda": True,
}

mlp_config = {
    "num_epoch": 200,
    "batch_size": 256,
    "optimizer": "adam",
    "adam_lr": 1e-3,
    "latent_dim": 8,
    "num_negative": 4,
    "layers": [16, 64, 32, 16, 8],
    "l2_regularization": 0.0000001,  # MLP model is sensitive to hyper params
    "use_cuda": True,
}

neumf_config = {
    "num_epoch": 200,
    "batch_size": 1024,
    "optimizer": "adam",
    "adam_lr": 1e-3,
    "latent_dim_mf": 8,
    "latent_dim_mlp": 8,
    "num_negative": 4,
    "layers": [16, 32, 16, 8],
    "l2_regularization": 0.01,
    "use_cuda": True,
}

sample_generator = SampleGenerator(ratings_path="data/ml-1m/ratings.dat")
# Specify the exact model
config = gmf_config
engine = GMFEngine(config)
# config = mlp_config
# engine = MLPEngine(config)
# config = neumf_config
# engine = NeuMFEngine(config)
for epoch in range(config["num_epoch"]):
    train_loader = sample_generator.instance_a_train_loader(config["num_negative"], config["batch_size"])
    engine.train_an_epoch(train_loader, epoch_id=epoch)
