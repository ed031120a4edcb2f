import argparse

from torch.utils.data import DataLoader

from lmforge.data import PackedCausalDataset, collate_packed
from lmforge.models import LlamaForCausalLM, ModelConfig
from lmforge.trainer import TrainConfig, Trainer
from lmforge.utils import cleanup_distributed, init_distributed, wrap_ddp


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="configs/model/125m.yaml")
    parser.add_argument("--train", default="configs/train/pretrain.yaml")
    args = parser.parse_args()
    train_cfg = TrainConfig.from_yaml(args.train)
    device = init_distributed()
    model = wrap_ddp(LlamaForCausalLM(ModelConfig.from_yaml(args.model)).to(device), device)
    loader = DataLoader(PackedCausalDataset(train_cfg.data_path), batch_size=train_cfg.micro_batch_size, collate_fn=collate_packed)
    try:
        Trainer(model, loader, train_cfg, device).train()
    finally:
        cleanup_distributed()


if __name__ == "__main__":
    main()
