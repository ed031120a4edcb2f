import torch
from torch.utils.data import DataLoader
from tqdm import tqdm, trange
from transformers.optimization import get_linear_schedule_with_warmup

from data_set import MyDataset


class MyTrainer:
    def __init__(self, args, processor):
        self.args = args
        self.processor = processor

    def training(self, args, model, device, train_data, processor):
        train_loader = DataLoader(train_data, batch_size=args.train_batch_size, collate_fn=MyDataset.collate_fn, shuffle=True)
        total_steps = int(len(train_loader) * args.num_train_epochs)
        model.to(device)

        clip_ids = list(map(id, model.model.parameters()))
        base_params = filter(lambda p: id(p) not in clip_ids, model.parameters())
        optimizer = torch.optim.AdamW(
            [{"params": base_params}, {"params": model.model.parameters(), "lr": args.clip_learning_rate}],
            lr=args.learning_rate,
            weight_decay=args.weight_decay,
        )
        scheduler = get_linear_schedule_with_warmup(
            optimizer, num_warmup_steps=int(args.warmup_proportion * total_steps), num_training_steps=total_steps
        )

        for _epoch in trange(int(args.num_train_epochs)):
            model.train()
            for batch in tqdm(train_loader):
                texts, images, label_list, _ids = batch
                inputs = processor(text=texts, images=images, padding="max_length", truncation=True, max_length=args.max_len, return_tensors="pt").to(device)
                labels = torch.tensor(label_list).to(device)
                loss, _score = model(inputs, labels=labels)
                loss.backward()
                optimizer.step()
                if args.optimizer_name == "adam":
                    scheduler.step()
                optimizer.zero_grad()
