import hydra
from omegaconf import DictConfig
from torch.distributed import destroy_process_group, init_process_group

from model import GPT, GPTConfig, OptimizerConfig, create_optimizer
from trainer import Trainer, TrainerConfig


@hydra.main(version_base=None, config_path=".", config_name="gpt2_train_cfg")
def main(cfg: DictConfig):
    init_process_group(backend="nccl")
    model = GPT(GPTConfig(**cfg["gpt_config"]))
    optimizer = create_optimizer(model, OptimizerConfig(**cfg["optimizer_config"]))
    trainer = Trainer(TrainerConfig(**cfg["trainer_config"]), model, optimizer, load_dataset())
    trainer.train()
    destroy_process_group()


def load_dataset():
    raise NotImplementedError


if __name__ == "__main__":
    main()
