# The optimizer class is picked in an if/else statement (a library imported inside the branch),
# over every parameter of one model or of two chained together.
import itertools

import torch


def build(args, unet, text_encoder):
    if args.use_8bit_adam:
        import bitsandbytes as bnb

        optimizer_class = bnb.optim.AdamW8bit
    else:
        optimizer_class = torch.optim.AdamW
    params = (
        itertools.chain(unet.parameters(), text_encoder.parameters())
        if args.train_text_encoder
        else unet.parameters()
    )
    return optimizer_class(params, lr=args.lr, weight_decay=args.adam_weight_decay)
