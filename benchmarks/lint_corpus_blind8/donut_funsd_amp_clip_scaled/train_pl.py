import torch
from sconf import Config
from torch.utils.data import DataLoader
from transformers import DonutProcessor, VisionEncoderDecoderConfig, VisionEncoderDecoderModel

from donut_dataset import DonutDataset


def train():
    config = Config("./train_funsd.yaml")
    donut_config = VisionEncoderDecoderConfig.from_pretrained("naver-clova-ix/donut-base")
    processor = DonutProcessor.from_pretrained("naver-clova-ix/donut-base")
    model = VisionEncoderDecoderModel.from_pretrained("naver-clova-ix/donut-base", config=donut_config)
    train_dataset = DonutDataset("preprocessed_dataset", processor=processor, model=model, max_length=config.max_length, split="train")
    train_dataloader = DataLoader(train_dataset, batch_size=1, shuffle=True, num_workers=4)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model.to(device)

    optimizer = torch.optim.Adam(model.parameters(), lr=config.get("lr"))
    scaler = torch.cuda.amp.GradScaler()

    for epoch in range(config["max_epochs"]):
        model.train()
        for batch in train_dataloader:
            pixel_values, labels, answers = batch
            pixel_values = pixel_values.to(device)
            labels = labels.to(device)
            with torch.cuda.amp.autocast():
                outputs = model(pixel_values, labels=labels)
                loss = outputs.loss
            optimizer.zero_grad()
            scaler.scale(loss).backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), config["gradient_clip_val"])
            scaler.step(optimizer)
            scaler.update()


if __name__ == "__main__":
    train()
