import copy
import logging
from contextlib import nullcontext

import torch

from wenet.utils.train_utils import batch_backward, batch_forward, update_parameter_and_lr


class Executor:
    def __init__(self):
        self.step = 0

    def train(self, model, optimizer, scheduler, data_loader, device, writer, configs, scaler):
        """Train one epoch."""
        model.train()
        info_dict = copy.deepcopy(configs)
        info_dict["tag"] = "TRAIN"
        accum_grad = info_dict.get("accum_grad", 1)
        logging.info("accumulating gradients: the batch is %d times larger", accum_grad)

        # join() lets DDP ranks finish with uneven numbers of batches
        if isinstance(model, torch.nn.parallel.DistributedDataParallel):
            model_context = model.join
        else:
            model_context = nullcontext

        with model_context():
            for batch_idx, batch in enumerate(data_loader):
                info_dict["step"] = batch_idx
                key, feats, target, feats_lengths, target_lengths = batch
                batch_dict = {
                    "feats": feats.to(device),
                    "target": target.to(device),
                    "feats_lengths": feats_lengths.to(device),
                    "target_lengths": target_lengths.to(device),
                }
                if target_lengths.size(0) == 0:
                    continue

                # skip the DDP all-reduce on the accumulating batches
                if info_dict.get("train_engine", "torch_ddp") == "torch_ddp" and (batch_idx + 1) % accum_grad != 0:
                    context = model.no_sync
                else:
                    context = nullcontext

                with context():
                    info_dict = batch_forward(model, batch_dict, scaler, info_dict)
                    info_dict = batch_backward(model, scaler, info_dict)

                info_dict = update_parameter_and_lr(model, optimizer, scheduler, scaler, info_dict)
                self.step += 1
