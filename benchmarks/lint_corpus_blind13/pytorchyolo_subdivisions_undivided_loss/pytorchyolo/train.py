import argparse

import torch
import torch.optim as optim
from torch.utils.data import DataLoader

from pytorchyolo.models import load_model
from pytorchyolo.utils.datasets import ListDataset
from pytorchyolo.utils.loss import compute_loss


def run():
    parser = argparse.ArgumentParser(description="Trains the YOLO model.")
    parser.add_argument("-m", "--model", type=str, default="config/yolov3.cfg")
    parser.add_argument("-e", "--epochs", type=int, default=300)
    parser.add_argument("--pretrained_weights", type=str)
    args = parser.parse_args()
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    model = load_model(args.model, args.pretrained_weights)
    mini_batch_size = model.hyperparams["batch"] // model.hyperparams["subdivisions"]
    dataset = ListDataset("data/train.txt", img_size=model.hyperparams["height"])
    dataloader = DataLoader(dataset, batch_size=mini_batch_size, shuffle=True, collate_fn=dataset.collate_fn)

    if model.hyperparams["optimizer"] in [None, "adam"]:
        optimizer = optim.Adam(
            model.parameters(),
            lr=model.hyperparams["learning_rate"],
            weight_decay=model.hyperparams["decay"],
        )
    elif model.hyperparams["optimizer"] == "sgd":
        optimizer = optim.SGD(
            model.parameters(),
            lr=model.hyperparams["learning_rate"],
            weight_decay=model.hyperparams["decay"],
            momentum=model.hyperparams["momentum"])
    else:
        print("Unknown optimizer. Please choose between (adam, sgd).")

    for epoch in range(args.epochs):
        model.train()
        for batch_i, (_, imgs, targets) in enumerate(dataloader):
            batches_done = len(dataloader) * epoch + batch_i
            imgs = imgs.to(device, non_blocking=True)
            targets = targets.to(device)
            outputs = model(imgs)
            loss, loss_components = compute_loss(outputs, targets, model)
            loss.backward()

            if batches_done % model.hyperparams["subdivisions"] == 0:
                lr = model.hyperparams["learning_rate"]
                if batches_done < model.hyperparams["burn_in"]:
                    lr *= batches_done / model.hyperparams["burn_in"]
                else:
                    for threshold, value in model.hyperparams["lr_steps"]:
                        if batches_done > threshold:
                            lr *= value
                for g in optimizer.param_groups:
                    g["lr"] = lr
                optimizer.step()
                optimizer.zero_grad()

        torch.save(model.state_dict(), f"checkpoints/yolov3_ckpt_{epoch}.pth")


if __name__ == "__main__":
    run()
