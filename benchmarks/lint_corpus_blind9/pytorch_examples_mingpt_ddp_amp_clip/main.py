import hydra
from omegaconf import DictConfig
from torch.distributed import destroy_process_group, init_process_group

from char_dataset import CharDataset, DataConfig
from model import GPT, GPTConfig, OptimizerConfig, create_optimizer
from trainer import Trainer, TrainerConfig


@hydra.main(version_base=None, config_path=".", config_name="gpt2_train_cfg")
def main(cfg: DictConfig):
    init_process_group(backend="nccl")
    gpt_cfg = GPTConfig(**cfg["gpt_config"])
    opt_cfg = OptimizerConfig(**cfg["optimizer_config"])
    trainer_cfg = TrainerConfig(**cfg["trainer_config"])
    dataset = CharDataset(DataConfig(**cfg["data_config"]))
    model = GPT(gpt_cfg)
    optimizer = create_optimizer(model, opt_cfg)
    Trainer(trainer_cfg, model, optimizer, dataset).train()
    destroy_process_group()


if __name__ == "__main__":
    main()
