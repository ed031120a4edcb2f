from dataclasses import dataclass


@dataclass
class RunSettings:
    rank: int = 0
    nranks: int = 1
    amp: bool = True


@dataclass
class TrainingSettings:
    bsize: int = 32
    accumsteps: int = 1
    lr: float = 3e-06
    maxsteps: int = 500_000
    warmup: int = None
    nway: int = 2


@dataclass
class ColBERTConfig(RunSettings, TrainingSettings):
    checkpoint: str = "bert-base-uncased"
