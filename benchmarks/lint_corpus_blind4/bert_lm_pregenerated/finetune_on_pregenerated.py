import argparse

import torch
from pytorch_pretrained_bert.modeling import BertForPreTraining
from pytorch_pretrained_bert.optimization import BertAdam, WarmupLinearSchedule
from torch.utils.data import DataLoader, DistributedSampler, RandomSampler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bert_model", type=str, required=True)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--local_rank", type=int, default=-1)
    parser.add_argument("--gradient_accumulation_steps", type=int, default=1)
    parser.add_argument("--train_batch_size", type=int, default=32)
    parser.add_argument("--fp16", action="store_true")
    parser.add_argument("--loss_scale", type=float, default=0)
    parser.add_argument("--warmup_proportion", type=float, default=0.1)
    parser.add_argument("--learning_rate", type=float, default=3e-5)
    args = parser.parse_args()

    n_gpu = torch.cuda.device_count()
    if args.local_rank != -1:
        torch.cuda.set_device(args.local_rank)
        n_gpu = 1
        torch.distributed.init_process_group(backend="nccl")

    args.train_batch_size = args.train_batch_size // args.gradient_accumulation_steps
    total_train_examples = count_examples(args)
    num_train_optimization_steps = int(total_train_examples / args.train_batch_size / args.gradient_accumulation_steps)
    if args.local_rank != -1:
        num_train_optimization_steps = num_train_optimization_steps // torch.distributed.get_world_size()

    model = BertForPreTraining.from_pretrained(args.bert_model)
    if args.fp16:
        model.half()
    model.cuda()
    if args.local_rank != -1:
        from apex.parallel import DistributedDataParallel as DDP

        model = DDP(model)
    elif n_gpu > 1:
        model = torch.nn.DataParallel(model)

    param_optimizer = list(model.named_parameters())
    no_decay = ["bias", "LayerNorm.bias", "LayerNorm.weight"]
    groups = [
        {"params": [p for n, p in param_optimizer if not any(nd in n for nd in no_decay)], "weight_decay": 0.01},
        {"params": [p for n, p in param_optimizer if any(nd in n for nd in no_decay)], "weight_decay": 0.0},
    ]
    if args.fp16:
        from apex.optimizers import FP16_Optimizer, FusedAdam

        optimizer = FusedAdam(groups, lr=args.learning_rate, bias_correction=False, max_grad_norm=1.0)
        if args.loss_scale == 0:
            optimizer = FP16_Optimizer(optimizer, dynamic_loss_scale=True)
        else:
            optimizer = FP16_Optimizer(optimizer, static_loss_scale=args.loss_scale)
        warmup_linear = WarmupLinearSchedule(warmup=args.warmup_proportion, t_total=num_train_optimization_steps)
    else:
        optimizer = BertAdam(groups, lr=args.learning_rate, warmup=args.warmup_proportion, t_total=num_train_optimization_steps)

    global_step = 0
    model.train()
    for epoch in range(args.epochs):
        dataset = load_epoch(args, epoch)
        sampler = RandomSampler(dataset) if args.local_rank == -1 else DistributedSampler(dataset)
        loader = DataLoader(dataset, sampler=sampler, batch_size=args.train_batch_size)
        for step, batch in enumerate(loader):
            batch = tuple(t.cuda() for t in batch)
            input_ids, input_mask, segment_ids, lm_label_ids, is_next = batch
            loss = model(input_ids, segment_ids, input_mask, lm_label_ids, is_next)
            if n_gpu > 1:
                loss = loss.mean()
            if args.gradient_accumulation_steps > 1:
                loss = loss / args.gradient_accumulation_steps
            if args.fp16:
                optimizer.backward(loss)
            else:
                loss.backward()
            if (step + 1) % args.gradient_accumulation_steps == 0:
                if args.fp16:
                    lr_this_step = args.learning_rate * warmup_linear.get_lr(global_step, args.warmup_proportion)
                    for param_group in optimizer.param_groups:
                        param_group["lr"] = lr_this_step
                optimizer.step()
                optimizer.zero_grad()
                global_step += 1


def count_examples(args):
    return 0


def load_epoch(args, epoch):
    return []


if __name__ == "__main__":
    main()
