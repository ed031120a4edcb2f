import torch
import torch.nn as nn
import torch.nn.functional as F

import lib


def main(args, model, X_num, Y_device, stream, batch_size):
    loss_fn = F.mse_loss
    if torch.cuda.device_count() > 1:
        model = nn.DataParallel(model)

    def needs_wd(name):
        return all(x not in name for x in ["tokenizer", ".norm", ".bias"])

    parameters_with_wd = [v for k, v in model.named_parameters() if needs_wd(k)]
    parameters_without_wd = [v for k, v in model.named_parameters() if not needs_wd(k)]
    optimizer = lib.make_optimizer(
        args["training"]["optimizer"],
        (
            [
                {"params": parameters_with_wd},
                {"params": parameters_without_wd, "weight_decay": 0.0},
            ]
        ),
        args["training"]["lr"],
        args["training"]["weight_decay"],
    )
    chunk_size = None

    def apply_model(idx):
        return model(X_num[idx], None)

    for epoch in stream.epochs(args["training"]["n_epochs"]):
        model.train()
        for batch_idx in epoch:
            loss, new_chunk_size = lib.train_with_auto_virtual_batch(
                optimizer,
                loss_fn,
                lambda x: (apply_model(x), Y_device[x]),
                batch_idx,
                chunk_size or batch_size,
            )
            if new_chunk_size and new_chunk_size < (chunk_size or batch_size):
                chunk_size = new_chunk_size
