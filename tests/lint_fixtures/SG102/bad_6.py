# The optimizer class is picked through a variable (8-bit AdamW or torch's), over all of the
# UNet's parameters.
import bitsandbytes as bnb
import torch


def build(args, unet):
    optimizer_cls = bnb.optim.AdamW8bit if args.use_8bit_adam else torch.optim.AdamW
    optimizer = optimizer_cls(
        unet.parameters(),
        lr=args.learning_rate,
        betas=(args.adam_beta1, args.adam_beta2),
        weight_decay=args.adam_weight_decay,
    )
    return optimizer
