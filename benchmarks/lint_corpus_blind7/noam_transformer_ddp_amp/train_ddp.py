import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.nn.parallel import DistributedDataParallel as DDP

from config.training_config import TrainingConfig
from src.trainer_ddp import Trainer


def main_worker(rank, world_size, model_config, training_config):
    dist.init_process_group("nccl", rank=rank, world_size=world_size)
    device = torch.device(f"cuda:{rank}")
    train_loader, val_loader, tokenizer = create_dataloaders(model_config, training_config, rank, world_size)
    model = EnhancedTransformer(model_config, tokenizer).to(device)
    model = DDP(model, device_ids=[rank], find_unused_parameters=True)
    trainer = Trainer(model, tokenizer, training_config, device=device, rank=rank)
    trainer.train(train_loader, val_loader)
    dist.destroy_process_group()


if __name__ == "__main__":
    world_size = torch.cuda.device_count()
    mp.spawn(main_worker, args=(world_size, ModelConfig(), TrainingConfig()), nprocs=world_size, join=True)
