from dataclasses import dataclass

import torch

from robot_imitate.common.diffusion_policy import DiffusionPolicy
from robot_imitate.common.dataset import LeRobotDataset


@dataclass
class DiffusionConfig:
    n_obs_steps: int = 2
    horizon: int = 16
    vision_backbone: str = "resnet18"
    use_group_norm: bool = True
    down_dims: tuple = (512, 1024, 2048)
    num_train_timesteps: int = 50


def main(root):
    training_steps = 10
    device = torch.device("cuda")
    dataset = LeRobotDataset("test", root=root)
    cfg = DiffusionConfig()
    policy = DiffusionPolicy(cfg, dataset_stats=dataset.stats)
    policy.train()
    policy.to(device)

    optimizer = torch.optim.Adam(policy.parameters(), lr=1e-4)
    dataloader = torch.utils.data.DataLoader(dataset, num_workers=4, batch_size=32, shuffle=True, drop_last=True)

    step = 0
    done = False
    while not done:
        for batch in dataloader:
            batch = {k: v.to(device, non_blocking=True) for k, v in batch.items()}
            output_dict = policy.forward(batch)
            loss = output_dict["loss"]
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            step += 1
            if step >= training_steps:
                done = True
                break
