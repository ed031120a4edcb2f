import torch
from torch.nn.parallel import DistributedDataParallel
from torch.optim import SGD
from torch.optim.lr_scheduler import ExponentialLR

from configs.config import get_config
from models.graphModel import GraphModel
from utils.distributed import init_distributed
from utils.graphTrainer import GraphTrainer


def main():
    cfg = get_config()
    rank, local_rank, world_size = init_distributed()
    model = GraphModel(cfg.MODEL_YAML_PATH).to(cfg.DEVICE)
    model = torch.nn.SyncBatchNorm.convert_sync_batchnorm(model).to(cfg.DEVICE)
    if world_size > 1:
        model = DistributedDataParallel(model, device_ids=[local_rank])
    optimizer = SGD(model.parameters(), lr=cfg.LR, momentum=cfg.MOMENTUM, weight_decay=cfg.WEIGHT_DECAY)
    lr_scheduler = ExponentialLR(optimizer, gamma=cfg.GAMMA)
    GraphTrainer(model=model, optimizer=optimizer, lr_scheduler=lr_scheduler, max_epoch=cfg.MAXEPOCH, enable_amp=cfg.EMABLE_AMP).train()


if __name__ == "__main__":
    main()
