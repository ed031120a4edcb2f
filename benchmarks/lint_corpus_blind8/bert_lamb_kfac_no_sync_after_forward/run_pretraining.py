import argparse
import math

import torch
from apex.optimizers import FusedLAMB
from torch.cuda.amp import GradScaler, autocast
from torch.nn.parallel import DistributedDataParallel as DDP

import src.modeling as modeling
from src.schedulers import LinearWarmUpScheduler, PolyWarmUpScheduler
from src.utils import get_world_size


def parse_arguments():
    parser = argparse.ArgumentParser()
    parser.add_argument("--fp16", default=False, action="store_true")
    parser.add_argument("--learning_rate", default=5e-5, type=float)
    parser.add_argument("--lr_decay", default="poly", type=str)
    parser.add_argument("--warmup_proportion", default=0.01, type=float)
    parser.add_argument("--global_batch_size", default=2**16, type=int)
    parser.add_argument("--local_batch_size", default=8, type=int)
    parser.add_argument("--max_steps", default=1000, type=float)
    parser.add_argument("--local_rank", type=int, default=0)
    return parser.parse_args()


def setup_training(args):
    torch.distributed.init_process_group(backend="nccl", init_method="env://")
    args.local_accumulated_batch_size = math.ceil(args.global_batch_size / get_world_size())
    args.accumulation_steps = math.ceil(args.local_accumulated_batch_size / args.local_batch_size)
    return args


def prepare_model(args):
    config = modeling.BertConfig.from_json_file(args.model_config_file)
    model = modeling.BertForPreTraining(config)
    model.to(args.device)
    model = DDP(model, device_ids=[args.local_rank])
    criterion = BertPretrainingCriterion(config.vocab_size)
    return model, criterion


def prepare_optimizers(args, model):
    param_optimizer = list(model.named_parameters())
    no_decay = ["bias", "gamma", "beta", "LayerNorm"]
    optimizer_grouped_parameters = [
        {"params": [p for n, p in param_optimizer if not any(nd in n for nd in no_decay)], "weight_decay": 0.01},
        {"params": [p for n, p in param_optimizer if any(nd in n for nd in no_decay)], "weight_decay": 0.0},
    ]
    if args.lr_decay == "poly":
        Scheduler = PolyWarmUpScheduler
    else:
        Scheduler = LinearWarmUpScheduler
    optimizer = FusedLAMB(optimizer_grouped_parameters, lr=args.learning_rate)
    lr_schedulers = [Scheduler(optimizer, warmup=args.warmup_proportion, total_steps=args.max_steps)]
    scaler = None
    if args.fp16:
        scaler = GradScaler()
    return optimizer, lr_schedulers, scaler


def take_optimizer_step(optimizer, model, scaler):
    if scaler is not None:
        scaler.step(optimizer)
        scaler.update()
    else:
        optimizer.step()
    for param in model.parameters():
        param.grad = None


def forward_backward_pass(model, criterion, scaler, batch, divisor, sync_grads=True):
    input_ids, segment_ids, input_mask, masked_lm_labels, next_sentence_labels = batch
    if scaler is not None:
        with autocast():
            prediction_scores, seq_relationship_score = model(input_ids, segment_ids, input_mask)
            loss = criterion(prediction_scores, masked_lm_labels, seq_relationship_score, next_sentence_labels)
    else:
        prediction_scores, seq_relationship_score = model(input_ids, segment_ids, input_mask)
        loss = criterion(prediction_scores, masked_lm_labels, seq_relationship_score, next_sentence_labels)

    loss = loss / divisor

    if not sync_grads:
        with model.no_sync():
            if scaler is not None:
                scaler.scale(loss).backward()
            else:
                loss.backward()
    else:
        if scaler is not None:
            scaler.scale(loss).backward()
        else:
            loss.backward()
    return loss


def main(args):
    model, criterion = prepare_model(args)
    optimizer, lr_schedulers, scaler = prepare_optimizers(args, model)
    dataloader = prepare_dataset(args)
    model.train()
    global_steps = 0
    training_steps = 0
    while True:
        for batch in dataloader:
            sync_grads = False
            if args.accumulation_steps == 1 or (training_steps > 0 and training_steps % args.accumulation_steps == 0):
                sync_grads = True
            batch = [t.to(args.device) for t in batch]
            loss = forward_backward_pass(model, criterion, scaler, batch, args.accumulation_steps, sync_grads=sync_grads)
            if sync_grads:
                for lrs in lr_schedulers:
                    lrs.step()
                take_optimizer_step(optimizer, model, scaler)
                global_steps += 1
            if global_steps >= args.max_steps:
                return global_steps
            training_steps += 1


if __name__ == "__main__":
    args = parse_arguments()
    args = setup_training(args)
    main(args)
