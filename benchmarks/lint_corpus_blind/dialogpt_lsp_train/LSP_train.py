"""Train / fine-tune GPT-2 on conversation data (DialoGPT). Modified from the Hugging Face GPT-2 code."""
import argparse

import torch
from torch.distributed import get_rank, get_world_size

from data_loader import BucketingDataLoader, DistributedBucketingDataLoader
from gpt2_training.distributed import all_reduce_and_rescale_tensors
from gpt2_training.train_utils import boolean_string, load_model, set_lr
from lsp_model import Adam, GPT2Config, GPT2LMHeadModel

parser = argparse.ArgumentParser()
parser.add_argument("--model_name_or_path", type=str)
parser.add_argument("--train_input_file", type=str)
parser.add_argument("--init_checkpoint", type=str)
parser.add_argument("--max_seq_length", type=int, default=128)
parser.add_argument("--train_batch_size", type=int, default=4, help="batch size now means per GPU per step")
parser.add_argument("--gradient_accumulation_steps", type=int, default=2,
                    help="to increase effective batch size and reduce synchronization")
parser.add_argument("--learning_rate", type=float, default=1e-5)
parser.add_argument("--num_optim_steps", type=int, default=1000000)
parser.add_argument("--warmup_proportion", type=float, default=0.1)
parser.add_argument("--warmup_steps", type=int, default=16000)
parser.add_argument("--fp16", type=boolean_string, default=True)
parser.add_argument("--lr_schedule", type=str, choices=["noam", "noamwd", "BERT", "None"], default="noam")
parser.add_argument("--loss_scale", type=float, default=0)
parser.add_argument("--local_rank", type=int, default=-1)
args = parser.parse_args()

assert args.train_batch_size % args.gradient_accumulation_steps == 0, "batch size % gradient accumulation steps != 0!"
args.train_batch_size = args.train_batch_size // args.gradient_accumulation_steps

if args.local_rank == -1:
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    n_gpu = torch.cuda.device_count()
else:
    torch.cuda.set_device(args.local_rank)
    device = torch.device("cuda", args.local_rank)
    torch.distributed.init_process_group(backend="nccl")
    n_gpu = 1

config = GPT2Config.from_json_file(args.model_name_or_path + "/config.json")
if args.local_rank == -1:
    train_dataloader = BucketingDataLoader(args.train_input_file, args.train_batch_size, args.max_seq_length)
else:
    train_dataloader = DistributedBucketingDataLoader(get_rank(), get_world_size(), args.train_input_file,
                                                      args.train_batch_size, args.max_seq_length)

model = load_model(GPT2LMHeadModel(config), args.init_checkpoint, args, verbose=True)

param_optimizer = list(model.named_parameters())
no_decay = ["bias", "ln"]  # no decay for bias and LayerNorm (ln_1, ln_2, ln_f)
optimizer_grouped_parameters = [
    {"params": [p for n, p in param_optimizer if not any(nd in n for nd in no_decay)], "weight_decay": 0.01},
    {"params": [p for n, p in param_optimizer if any(nd in n for nd in no_decay)], "weight_decay": 0.0},
]

if args.fp16:
    from apex.optimizers import FP16_Optimizer, FusedAdam

    optimizer = FusedAdam(optimizer_grouped_parameters, lr=args.learning_rate, bias_correction=False, max_grad_norm=1.0)
    optimizer = FP16_Optimizer(optimizer, dynamic_loss_scale=(args.loss_scale == 0), verbose=False)
else:
    optimizer = Adam(optimizer_grouped_parameters, args.learning_rate, max_grad_norm=1.0)

global_step = 0
step = 0
epoch = 0
while True:
    model.train()
    for batch in train_dataloader:
        batch = tuple(t.to(device) for t in batch)
        input_ids, position_ids, token_ids, label_ids, *_ = batch
        loss, ppl = model(input_ids, position_ids, None, label_ids)

        if n_gpu > 1:
            loss = loss.mean()
        # rescales a short (last) bucket to the nominal micro-batch size
        loss = loss / (args.train_batch_size / input_ids.shape[0])
        if args.fp16:
            optimizer.backward(loss)
        else:
            loss.backward()

        step += 1
        if step % args.gradient_accumulation_steps == 0:
            set_lr(optimizer, global_step, args.lr_schedule, args.learning_rate, args.warmup_steps,
                   args.warmup_proportion, config.n_embd, args.num_optim_steps)
            if args.local_rank != -1:
                # the only gradient all-reduce: once per update, by hand
                grads = [p.grad.data for p in model.parameters() if p.requires_grad and p.grad is not None]
                all_reduce_and_rescale_tensors(grads, float(1))
            optimizer.step()
            optimizer.zero_grad()
            global_step += 1
            if global_step >= args.num_optim_steps:
                break
    if global_step >= args.num_optim_steps:
        break
    epoch += 1
