# An fp16 optimizer wrapper (apex's FP16_Optimizer, Megatron's and DeepSpeed's fp16 optimizers)
# backpropagates through `optimizer.backward(loss)`: it multiplies by the dynamic loss scale
# and divides it out again before the step, nothing more. Neither branch divides by k.
import torch.nn.functional as F
from apex.fp16_utils import FP16_Optimizer
from apex.optimizers import FusedAdam


def train(args, model, loader):
    optimizer = FusedAdam(model.parameters(), lr=args.lr)
    if args.fp16:
        optimizer = FP16_Optimizer(optimizer, dynamic_loss_scale=True)
    step = 0
    for batch in loader:
        logits = model(batch["input_ids"])
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), batch["labels"].view(-1))
        if args.fp16:
            optimizer.backward(loss)
        else:
            loss.backward()
        step += 1
        if step % args.gradient_accumulation_steps == 0:
            optimizer.step()
            optimizer.zero_grad()
