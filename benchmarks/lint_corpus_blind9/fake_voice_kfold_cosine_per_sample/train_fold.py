import torch
from sklearn.model_selection import KFold
from torch import nn
from torch.utils.data import DataLoader, Subset
from transformers.optimization import get_cosine_schedule_with_warmup

from models.Conv import ResNetTransformerModel

device = torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")


def train_fold(train_dataset, CONFIG):
    criterion = nn.MSELoss().to(device)
    fold = KFold(n_splits=CONFIG.N_FOLD, shuffle=True, random_state=CONFIG.SEED)
    for f, (train_idx, val_idx) in enumerate(fold.split(train_dataset)):
        model = ResNetTransformerModel(1, 2, CONFIG)
        model.to(device)
        train_ds = Subset(train_dataset, train_idx)
        optimizer = torch.optim.Adam(params=model.parameters(), lr=0.00001)
        warmup_ratio = 0.1
        t_total = len(train_ds) * CONFIG.N_EPOCHS
        warmup_step = int(t_total * warmup_ratio)
        scheduler = get_cosine_schedule_with_warmup(optimizer, num_warmup_steps=warmup_step, num_training_steps=t_total)
        train_dl = DataLoader(train_ds, batch_size=CONFIG.BATCH_SIZE, shuffle=True, num_workers=4)
        for epoch in range(1, CONFIG.N_EPOCHS + 1):
            model.train()
            for features, labels in train_dl:
                features = features.float().to(device)
                labels = labels.float().to(device)
                optimizer.zero_grad()
                output = model(features)
                loss = criterion(output, labels)
                loss.backward()
                optimizer.step()
                scheduler.step()
