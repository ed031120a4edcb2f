"""Paraphrase of trainers.py (aHuiWang/CIKM2020-S3Rec): the Trainer base and the fine-tuning loop."""
import torch
from torch.optim import Adam


class Trainer:
    def __init__(self, model, train_dataloader, args):
        self.args = args
        self.model = model
        self.train_dataloader = train_dataloader
        betas = (self.args.adam_beta1, self.args.adam_beta2)
        self.optim = Adam(self.model.parameters(), lr=self.args.lr, betas=betas, weight_decay=self.args.weight_decay)

    def train(self, epoch):
        self.iteration(epoch, self.train_dataloader)

    def cross_entropy(self, seq_out, pos_ids, neg_ids):
        pos_emb = self.model.item_embeddings(pos_ids)
        neg_emb = self.model.item_embeddings(neg_ids)
        seq_emb = seq_out.view(-1, self.args.hidden_size)
        pos_logits = torch.sum(pos_emb.view(-1, pos_emb.size(2)) * seq_emb, -1)
        neg_logits = torch.sum(neg_emb.view(-1, neg_emb.size(2)) * seq_emb, -1)
        istarget = (pos_ids > 0).view(-1).float()
        return torch.sum(
            -torch.log(torch.sigmoid(pos_logits) + 1e-24) * istarget
            - torch.log(1 - torch.sigmoid(neg_logits) + 1e-24) * istarget
        ) / torch.sum(istarget)


class FinetuneTrainer(Trainer):
    def iteration(self, epoch, dataloader, train=True):
        self.model.train()
        for batch in dataloader:
            _, input_ids, target_pos, target_neg, _ = batch
            sequence_output = self.model.finetune(input_ids)
            loss = self.cross_entropy(sequence_output, target_pos, target_neg)
            self.optim.zero_grad()
            loss.backward()
            self.optim.step()
