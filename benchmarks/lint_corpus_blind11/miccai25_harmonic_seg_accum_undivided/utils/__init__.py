from .dataset import get_train_dataset, get_val_dataset
from .trainer import Trainer

__all__ = ["Trainer", "get_train_dataset", "get_val_dataset"]
