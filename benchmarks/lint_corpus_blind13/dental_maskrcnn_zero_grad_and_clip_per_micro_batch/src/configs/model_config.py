from dataclasses import dataclass


@dataclass
class ModelConfig:
    backbone = "resnet18"
    num_classes = 3
    hidden_dim = 64

    batch_size = 1
    gradient_accumulation_steps = 4
    learning_rate = 0.00001
    weight_decay = 0.0001
    num_epochs = 50
    num_workers = 0

    eps = 1e-8
    gradient_clip_val = 0.5
    max_grad_norm = 0.5

    train_data_path = None
    train_labels_path = None
    device = "cuda"
