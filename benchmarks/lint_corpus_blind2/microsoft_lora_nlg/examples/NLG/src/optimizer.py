"""Optimizer / schedule helpers for the GPT-2 LoRA fine-tuning example."""

import math

import torch
from torch.optim import Optimizer
from torch.optim.lr_scheduler import LambdaLR


def add_optimizer_params(parser):
    parser.add_argument("--lr", default=0.00001, type=float)
    parser.add_argument("--weight_decay", default=0.01, type=float)
    parser.add_argument("--correct_bias", action="store_true")
    parser.add_argument("--adam_epislon", default=1e-6, type=float)
    parser.add_argument("--no_decay_bias", action="store_true", help="no weight decay on bias weight")
    parser.add_argument("--adam_beta1", default=0.9, type=float)
    parser.add_argument("--adam_beta2", default=0.98, type=float)
    parser.add_argument("--scheduler", default="linear", choices=["linear", "constant"])
    parser.add_argument("--max_step", type=int, default=None)
    parser.add_argument("--max_epoch", type=int, default=None)
    parser.add_argument("--warmup_step", type=int, default=0)


class AdamW(Optimizer):
    """Adam with the decay applied to the weights after the update (decoupled)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.98), eps=1e-6, weight_decay=0.0, correct_bias=True):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, correct_bias=correct_bias))

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = torch.zeros_like(p)
                    state["exp_avg_sq"] = torch.zeros_like(p)
                beta1, beta2 = group["betas"]
                state["step"] += 1
                state["exp_avg"].mul_(beta1).add_(p.grad, alpha=1 - beta1)
                state["exp_avg_sq"].mul_(beta2).addcmul_(p.grad, p.grad, value=1 - beta2)
                step_size = group["lr"]
                if group["correct_bias"]:
                    step_size *= math.sqrt(1 - beta2 ** state["step"]) / (1 - beta1 ** state["step"])
                p.addcdiv_(state["exp_avg"], state["exp_avg_sq"].sqrt().add_(group["eps"]), value=-step_size)
                if group["weight_decay"] > 0.0:
                    p.add_(p, alpha=-group["lr"] * group["weight_decay"])


def create_grouped_parameters(model, no_decay_bias):
    if not no_decay_bias:
        return [{"params": [p for n, p in model.named_parameters()]}]
    no_decay = ["bias", "layer_norm.weight"]
    return [
        {"params": [p for n, p in model.named_parameters() if not any(nd in n for nd in no_decay)]},
        {"params": [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay)], "weight_decay": 0.0},
    ]


def create_adam_optimizer_from_args(model, args):
    grouped_parameters = create_grouped_parameters(model, args.no_decay_bias)
    return AdamW(
        grouped_parameters,
        lr=args.lr,
        betas=(args.adam_beta1, args.adam_beta2),
        eps=args.adam_epislon,
        weight_decay=args.weight_decay,
        correct_bias=args.correct_bias,
    )


def get_linear_schedule_with_warmup(optimizer, num_warmup_steps, num_training_steps, last_epoch=-1):
    def lr_lambda(current_step):
        if current_step < num_warmup_steps:
            return current_step / max(1, num_warmup_steps)
        return max(0.0, (num_training_steps - current_step) / max(1, num_training_steps - num_warmup_steps))

    return LambdaLR(optimizer, lr_lambda, last_epoch)


def create_optimizer_scheduler(optimizer, args):
    if args.scheduler == "linear":
        return get_linear_schedule_with_warmup(optimizer, args.warmup_step, args.max_step)
    return LambdaLR(optimizer, lambda s: min(1.0, s / max(1, args.warmup_step)))
