import argparse

import torch.nn as nn
import yaml
from accelerate import Accelerator
from torch.utils.data import DataLoader

from dataset import Dataset
from model import FastSpeech2Loss
from utils.model import get_model
from utils.tools import to_device


def main(args, configs):
    preprocess_config, model_config, train_config = configs
    batch_size = train_config["optimizer"]["batch_size"]
    dataset = Dataset("train.txt", preprocess_config, train_config, sort=True, drop_last=True)
    loader = DataLoader(dataset, batch_size=batch_size * 4, shuffle=True, collate_fn=dataset.collate_fn)
    accelerator = Accelerator(log_with="wandb", project_dir=train_config["path"]["ckpt_path"])
    device = accelerator.device
    model, optimizer = get_model(args, configs, device, train=True)
    criterion = FastSpeech2Loss(preprocess_config, model_config).to(device)
    model, optimizer, loader = accelerator.prepare(model, optimizer, loader)

    step = args.restore_step + 1
    grad_acc_step = train_config["optimizer"]["grad_acc_step"]
    grad_clip_thresh = train_config["optimizer"]["grad_clip_thresh"]
    total_step = train_config["step"]["total_step"]
    while True:
        for batchs in loader:
            for batch in batchs:
                batch = to_device(batch, device)
                output = model(*(batch[2:]))
                losses = criterion(batch, output)
                total_loss = losses[0]
                total_loss = total_loss / grad_acc_step
                accelerator.backward(total_loss)
                if step % grad_acc_step == 0:
                    nn.utils.clip_grad_norm_(model.parameters(), grad_clip_thresh)
                    optimizer.step_and_update_lr()
                    optimizer.zero_grad()
                if step == total_step:
                    return
                step += 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--restore_step", type=int, default=0)
    parser.add_argument("-p", "--preprocess_config", type=str, required=True)
    parser.add_argument("-m", "--model_config", type=str, required=True)
    parser.add_argument("-t", "--train_config", type=str, required=True)
    args = parser.parse_args()
    configs = tuple(yaml.load(open(p), Loader=yaml.FullLoader) for p in (args.preprocess_config, args.model_config, args.train_config))
    main(args, configs)
