from dataclasses import dataclass, field

from transformers import TrainingArguments as HFTrainingArguments


@dataclass
class ModelArguments:
    model_name: str = field(default=None)
    lora: bool = field(default=False)
    lora_r: int = field(default=16)


@dataclass
class DataArguments:
    dataset_name: str = field(default=None)
    image_dir: str = field(default=None)


@dataclass
class TrainingArguments(HFTrainingArguments):
    output_dir: str = field(default=None)
    num_train_epochs: int = field(default=1)
    kd_weight: float = field(default=0.01)
