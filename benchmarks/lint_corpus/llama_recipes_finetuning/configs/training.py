from dataclasses import dataclass


@dataclass
class train_config:
    model_name: str = "PATH/to/LLAMA/7B"
    enable_fsdp: bool = False
    batch_size_training: int = 4
    gradient_accumulation_steps: int = 1
    gradient_clipping: bool = False
    gradient_clipping_threshold: float = 1.0
    num_epochs: int = 3
    lr: float = 1e-4
    weight_decay: float = 0.0
    gamma: float = 0.85
    use_fp16: bool = False
    use_peft: bool = False
