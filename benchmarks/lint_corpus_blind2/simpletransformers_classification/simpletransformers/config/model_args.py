from dataclasses import dataclass, field


@dataclass
class ModelArgs:
    adam_epsilon: float = 1e-8
    custom_layer_parameters: list = field(default_factory=list)
    custom_parameter_groups: list = field(default_factory=list)
    train_custom_parameters_only: bool = False
    fp16: bool = True
    gradient_accumulation_steps: int = 1
    learning_rate: float = 4e-5
    logging_steps: int = 50
    max_grad_norm: float = 1.0
    n_gpu: int = 1
    num_train_epochs: int = 1
    train_batch_size: int = 8
    warmup_ratio: float = 0.06
    warmup_steps: int = 0
    weight_decay: int = 0


@dataclass
class ClassificationArgs(ModelArgs):
    regression: bool = False
    sliding_window: bool = False
