import torch
from torch import optim
from torch.utils.data import DataLoader

from dataset import Yolo_dataset
from models import Yolov4
from yolo_loss import Yolo_loss
from cfg import Cfg


def train(model, device, config, epochs=5, save_cp=True):
    train_dataset = Yolo_dataset(config.train_label, config)
    train_loader = DataLoader(train_dataset, batch_size=config.batch // config.subdivisions, shuffle=True,
                              num_workers=8, pin_memory=True, drop_last=True)
    global_step = 0
    optimizer = optim.Adam(model.parameters(), lr=config.lr, betas=(0.9, 0.999), eps=1e-08)
    criterion = Yolo_loss()

    for epoch in range(epochs):
        model.train()
        epoch_loss = 0
        for i, batch in enumerate(train_loader):
            global_step += 1
            images = batch[0].to(device=device, dtype=torch.float32)
            bboxes = batch[1].to(device=device)
            bboxes_pred = model(images)
            loss, loss_xy, loss_wh, loss_obj, loss_cls, loss_l2 = criterion(bboxes_pred, bboxes)
            loss = loss / config.subdivisions
            loss.backward()
            epoch_loss += loss.item()

            if i % config.subdivisions == 0:
                optimizer.step()
                model.zero_grad()

        if save_cp:
            torch.save(model.state_dict(), config.checkpoints + f"Yolov4_epoch{epoch + 1}.pth")


if __name__ == "__main__":
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model = Yolov4().to(device)
    train(model=model, config=Cfg, epochs=Cfg.TRAIN_EPOCHS, device=device)
