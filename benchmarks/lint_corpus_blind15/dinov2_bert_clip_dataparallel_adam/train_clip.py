import torch
import torch.nn as nn
from torch.utils.data import DataLoader

from data.image_caption_data import CocoDataset
from model.clip import ClipLoss, clip_dinov2_bert


def train_one_epoch(train_data_loader, model, optimizer, loss_fn, device):
    model.train()
    for i, (images, input_ids, attention_mask) in enumerate(train_data_loader):
        images, input_ids, attention_mask = images.to(device), input_ids.to(device), attention_mask.to(device)
        optimizer.zero_grad()
        dino_features, bert_features = model(images, input_ids, attention_mask)
        _loss = loss_fn(dino_features, bert_features)
        _loss.backward()
        optimizer.step()


def train_clip(batch_size, epochs):
    train_dataset = CocoDataset("MSCOCO/train2017/", "MSCOCO/annotations/captions_train2017.json", apply_transform=True)
    train_loader = DataLoader(train_dataset, batch_size=batch_size, shuffle=True, num_workers=16)
    model = clip_dinov2_bert()
    device = torch.device("cuda:0")
    model = nn.DataParallel(model, device_ids=[0, 1, 2, 3])
    model.to(device)
    loss_fn = ClipLoss(temperature=0.1)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    for epoch in range(epochs):
        train_one_epoch(train_loader, model, optimizer, loss_fn, device)
    torch.save(model.state_dict(), "clip.pth")


if __name__ == "__main__":
    train_clip(batch_size=512, epochs=5)
