from dataclasses import dataclass, field

import transformers


@dataclass
class TrainingArguments(transformers.TrainingArguments):
    rollout_batch_size: int = field(default=None, metadata={"help": "episodes per PPO step"})
    rollout_per_device_batch_size: int = field(default=None)
    step_batch_size: int = field(default=None, metadata={"help": "examples per optimizer step"})
    step_per_device_batch_size: int = field(default=None)
    noptepochs: int = field(default=2)
    total_epochs: int = field(default=10)

    def __post_init__(self):
        super().__post_init__()
        world_size = self.world_size
        assert (self.rollout_batch_size // self.rollout_per_device_batch_size) % world_size == 0
        self.rollout_accumulation_steps = self.rollout_batch_size // self.rollout_per_device_batch_size // world_size
        assert (self.step_batch_size // self.step_per_device_batch_size) % world_size == 0
        self.gradient_accumulation_steps = self.step_batch_size // self.step_per_device_batch_size // world_size
