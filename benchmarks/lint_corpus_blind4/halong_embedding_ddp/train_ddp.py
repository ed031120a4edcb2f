import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP
from transformers import AdamW, AutoModel, get_linear_schedule_with_warmup


class SentenceEmbeddingModel(nn.Module):
    def __init__(self, model_name):
        super().__init__()
        self.encoder = AutoModel.from_pretrained(model_name)

    def forward(self, input_ids, attention_mask):
        return self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state[:, 0, :]


class EmbeddingTrainer:
    def __init__(self, model_name, device):
        self.device = device
        self.model = SentenceEmbeddingModel(model_name).to(device)
        self.loss_fn = nn.TripletMarginLoss(margin=1.0, p=2)
        self.optimizer = AdamW(self.model.parameters(), lr=2e-5)
        self.scheduler = None

    def train(self, train_dataloader, num_epochs=3, warmup_steps=0):
        total_steps = len(train_dataloader) * num_epochs
        self.scheduler = get_linear_schedule_with_warmup(self.optimizer, num_warmup_steps=warmup_steps, num_training_steps=total_steps)
        for epoch in range(num_epochs):
            self.model.train()
            for step, batch in enumerate(train_dataloader):
                a = self.model(batch["anchor_input_ids"].to(self.device), batch["anchor_attention_mask"].to(self.device))
                p = self.model(batch["positive_input_ids"].to(self.device), batch["positive_attention_mask"].to(self.device))
                n = self.model(batch["negative_input_ids"].to(self.device), batch["negative_attention_mask"].to(self.device))
                loss = self.loss_fn(a, p, n)
                loss.backward()
                nn.utils.clip_grad_norm_(self.model.parameters(), max_norm=1.0)
                self.optimizer.step()
                self.scheduler.step()
                self.optimizer.zero_grad()


def main_worker(rank, world_size, args, train_dataloader):
    torch.distributed.init_process_group(backend="nccl", init_method="env://", world_size=world_size, rank=rank)
    device = torch.device(f"cuda:{rank}")
    trainer = EmbeddingTrainer(args.model_name, device)
    trainer.model = DDP(trainer.model, device_ids=[rank])
    trainer.train(train_dataloader, num_epochs=args.num_epochs, warmup_steps=args.warmup_steps)
    torch.distributed.destroy_process_group()
