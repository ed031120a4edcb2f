# A custom loop over a TrainingArguments subclass: the window length is the dataclass default of
# transformers (1), the weight decay this project's field default.
from dataclasses import dataclass, field

import torch
from transformers import HfArgumentParser, TrainingArguments


@dataclass
class MyTrainingArguments(TrainingArguments):
    weight_decay: float = field(default=0.01)
    clip_norm: float = 1.0


def main():
    (args,) = HfArgumentParser((MyTrainingArguments,)).parse_args_into_dataclasses()
    model, loader = build()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.learning_rate, weight_decay=args.weight_decay)
    for step, batch in enumerate(loader):
        loss = model(**batch).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip_norm)
        if (step + 1) % args.gradient_accumulation_steps == 0:
            optimizer.step()
            optimizer.zero_grad()


def build():
    raise NotImplementedError
