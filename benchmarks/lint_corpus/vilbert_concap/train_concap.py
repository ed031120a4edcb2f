import argparse

from apex.parallel import DistributedDataParallel as DDP
from pytorch_pretrained_bert.optimization import BertAdam


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--from_pretrained", default="", type=str)
    parser.add_argument("--train_batch_size", default=512, type=int)
    parser.add_argument("--learning_rate", default=5e-5, type=float)
    parser.add_argument("--num_train_epochs", default=10.0, type=float)
    parser.add_argument("--warmup_proportion", default=0.1, type=float)
    parser.add_argument("--local_rank", type=int, default=-1)
    parser.add_argument("--gradient_accumulation_steps", type=int, default=1)
    args = parser.parse_args()

    args.train_batch_size = args.train_batch_size // args.gradient_accumulation_steps
    train_dataset = load_dataset(batch_size=args.train_batch_size)
    num_train_optimization_steps = int(
        train_dataset.num_dataset / args.train_batch_size / args.gradient_accumulation_steps
    ) * args.num_train_epochs
    model = build_model(args).cuda()
    if args.local_rank != -1:
        model = DDP(model)
    no_decay = ["bias", "LayerNorm.bias", "LayerNorm.weight"]
    if not args.from_pretrained:
        param_optimizer = list(model.named_parameters())
        optimizer_grouped_parameters = [  # from scratch
            {"params": [p for n, p in param_optimizer if not any(nd in n for nd in no_decay)], "weight_decay": 0.01},
            {"params": [p for n, p in param_optimizer if any(nd in n for nd in no_decay)], "weight_decay": 0.0},
        ]
    else:
        optimizer_grouped_parameters = []
        for key, value in dict(model.named_parameters()).items():
            if value.requires_grad:
                if any(nd in key for nd in no_decay):
                    optimizer_grouped_parameters += [{"params": [value], "lr": args.learning_rate, "weight_decay": 0.01}]
                if not any(nd in key for nd in no_decay):
                    optimizer_grouped_parameters += [{"params": [value], "lr": args.learning_rate, "weight_decay": 0.0}]
    optimizer = BertAdam(optimizer_grouped_parameters, lr=args.learning_rate, warmup=args.warmup_proportion,
                         t_total=num_train_optimization_steps)
    for epoch in range(int(args.num_train_epochs)):
        model.train()
        for step, batch in enumerate(train_dataset):
            masked_loss_t, masked_loss_v, next_sentence_loss = model(*batch)
            loss = masked_loss_t + masked_loss_v + next_sentence_loss
            if args.gradient_accumulation_steps > 1:
                loss = loss / args.gradient_accumulation_steps
            loss.backward()
            if (step + 1) % args.gradient_accumulation_steps == 0:
                optimizer.step()
                optimizer.zero_grad()


def load_dataset(batch_size):
    raise NotImplementedError


def build_model(args):
    raise NotImplementedError
