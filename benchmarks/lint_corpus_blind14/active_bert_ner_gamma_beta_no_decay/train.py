import argparse

import torch.nn as nn
from torch.optim.lr_scheduler import LambdaLR
from transformers.optimization import AdamW

from model import BertForSequenceTagging

parser = argparse.ArgumentParser()
parser.add_argument("--full_finetuning", action="store_false")
parser.add_argument("--bert_model_dir", default="pretrained_bert_models/bert_base_chinese", type=str)
parser.add_argument("--learning_rate", default=5e-5, type=float)
parser.add_argument("--weight_decay", default=0.01, type=float)
parser.add_argument("--clip_grad", default=1.0, type=float)
parser.add_argument("--warmup_steps", default=20, type=int)
parser.add_argument("--min_lr_ratio", default=0.1, type=float)
parser.add_argument("--decay_steps", default=1000, type=int)
parser.add_argument("--num_epoch", default=1, type=int)


def train(model, data_iterator, optimizer, scheduler, params):
    model.train()
    for epoch in range(params.num_epoch):
        for step, batch in enumerate(data_iterator):
            input_ids, label_ids, attention_mask, sentence_ids, label_mask = [t.to(params.device) for t in batch]
            logits, padded = model(input_ids, token_type_ids=sentence_ids, attention_mask=attention_mask,
                                   label_ids=label_ids, label_masks=label_mask)[:2]
            loss = model.loss(logits=logits, labels=padded)
            loss.backward()
            nn.utils.clip_grad_norm_(parameters=model.parameters(), max_norm=params.clip_grad)
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            model.zero_grad()


def build(params, num_tags):
    model = BertForSequenceTagging.from_pretrained(params.bert_model_dir, num_labels=num_tags)
    if params.full_finetuning:
        named = list(model.named_parameters())
        no_decay = ["bias", "gamma", "beta"]
        groups = [
            {"params": [p for n, p in named if not any(nd in n for nd in no_decay)],
             "weight_decay": params.weight_decay},
            {"params": [p for n, p in named if any(nd in n for nd in no_decay)], "weight_decay": 0.0},
        ]
    else:
        named = list(model.classifier.named_parameters())
        groups = [{"params": [p for n, p in named]}]
    optimizer = AdamW(groups, lr=params.learning_rate)

    def lr_lambda(step):
        if step < params.warmup_steps:
            return float(step) / float(max(1, params.warmup_steps))
        return max(params.min_lr_ratio, 1.0 - (step - params.warmup_steps) / params.decay_steps)

    scheduler = LambdaLR(optimizer, lr_lambda)
    return model, optimizer, scheduler
