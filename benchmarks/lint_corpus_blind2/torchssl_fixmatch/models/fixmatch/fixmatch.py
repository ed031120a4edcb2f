import contextlib

import torch
from torch.cuda.amp import GradScaler, autocast

from train_utils import ce_loss, consistency_loss


class FixMatch:
    def __init__(self, args, model, optimizer, scheduler, ema, loader_dict):
        self.model = model
        self.optimizer = optimizer
        self.scheduler = scheduler  # cosine with warmup over num_train_iter, one step per iteration
        self.ema = ema
        self.loader_dict = loader_dict
        self.lambda_u = args.ulb_loss_ratio
        self.it = 0

    def train(self, args):
        self.model.train()
        scaler = GradScaler()
        amp_cm = autocast if args.amp else contextlib.nullcontext

        for (_, x_lb, y_lb), (x_ulb_idx, x_ulb_w, x_ulb_s) in zip(self.loader_dict["train_lb"], self.loader_dict["train_ulb"]):
            if self.it > args.num_train_iter:
                break
            num_lb = x_lb.shape[0]
            inputs = torch.cat((x_lb, x_ulb_w, x_ulb_s)).cuda(args.gpu)
            y_lb = y_lb.cuda(args.gpu)

            with amp_cm():
                logits = self.model(inputs)
                logits_x_lb = logits[:num_lb]
                logits_x_ulb_w, logits_x_ulb_s = logits[num_lb:].chunk(2)
                sup_loss = ce_loss(logits_x_lb, y_lb, reduction="mean")
                unsup_loss, mask = consistency_loss(logits_x_ulb_s, logits_x_ulb_w, "ce", args.T, args.p_cutoff)
                total_loss = sup_loss + self.lambda_u * unsup_loss

            # parameter updates
            if args.amp:
                scaler.scale(total_loss).backward()
                if args.clip > 0:
                    torch.nn.utils.clip_grad_norm_(self.model.parameters(), args.clip)
                scaler.step(self.optimizer)
                scaler.update()
            else:
                total_loss.backward()
                if args.clip > 0:
                    torch.nn.utils.clip_grad_norm_(self.model.parameters(), args.clip)
                self.optimizer.step()

            self.scheduler.step()
            self.ema.update()
            self.model.zero_grad()
            self.it += 1
