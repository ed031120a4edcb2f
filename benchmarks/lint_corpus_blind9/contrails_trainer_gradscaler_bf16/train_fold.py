import argparse

from training.trainer import PytorchTrainer, TrainConfiguration


def parse_args():
    parser = argparse.ArgumentParser("Pipeline")
    arg = parser.add_argument
    arg("--config", default="configs/v2s.json")
    arg("--fold", type=int, default=0)
    arg("--fp16", action="store_true", default=False)
    arg("--distributed", action="store_true", default=False)
    arg("--local-rank", default=0, type=int)
    arg("--world-size", default=1, type=int)
    return parser.parse_args()


def main(train_data, val_data, evaluator):
    args = parse_args()
    trainer_config = TrainConfiguration(
        config_path=args.config,
        distributed=args.distributed,
        local_rank=args.local_rank,
        world_size=args.world_size,
        fp16=args.fp16,
    )
    PytorchTrainer(trainer_config, evaluator, args.fold, train_data, val_data).fit()
