from dataclasses import dataclass


@dataclass
class ConfigNLPCausalLMTraining:
    epochs: int = 1
    learning_rate: float = 1e-4
    schedule: str = "Cosine"
    warmup_epochs: float = 0.0
    grad_accumulation: int = 1
    gradient_clip: float = 0.0
    weight_decay: float = 0.0


@dataclass
class ConfigNLPCausalLMEnvironment:
    mixed_precision: bool = True
    use_fsdp: bool = False
