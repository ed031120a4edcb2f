"""LLaVA visual instruction tuning entry point (HF TrainingArguments + a Trainer subclass)."""

from dataclasses import dataclass, field
from typing import Optional

import transformers

from llava.model import LlavaLlamaForCausalLM
from llava.train.llava_trainer import LLaVATrainer


@dataclass
class TrainingArguments(transformers.TrainingArguments):
    optim: str = field(default="adamw_torch")
    model_max_length: int = field(default=512)
    mm_projector_lr: Optional[float] = None
    group_by_modality_length: bool = field(default=False)


def train():
    parser = transformers.HfArgumentParser((TrainingArguments,))
    (training_args,) = parser.parse_args_into_dataclasses()
    model = LlavaLlamaForCausalLM.from_pretrained("lmsys/vicuna-13b-v1.5")
    model.get_model().vision_tower.requires_grad_(False)
    trainer = LLaVATrainer(model=model, args=training_args)
    trainer.train()


if __name__ == "__main__":
    train()
