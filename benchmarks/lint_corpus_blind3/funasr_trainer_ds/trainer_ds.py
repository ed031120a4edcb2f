from contextlib import nullcontext

import torch


class Trainer:
    def __init__(self, accum_grad=1, grad_clip=-1.0, grad_clip_type=2.0, use_ddp=False, use_fsdp=False, use_deepspeed=False):
        self.accum_grad = accum_grad
        self.grad_clip = grad_clip
        self.grad_clip_type = grad_clip_type
        self.use_ddp = use_ddp
        self.use_fsdp = use_fsdp
        self.use_deepspeed = use_deepspeed

    def train_epoch(self, model, optim, scheduler, scaler, dataloader_train, epoch):
        model.train()
        accum_grad = self.accum_grad
        optim.zero_grad()
        for batch_idx, batch in enumerate(dataloader_train):
            loss_dict = {"batch_idx": batch_idx}
            my_context = nullcontext
            if self.use_ddp or self.use_fsdp:
                my_context = model.no_sync if batch_idx % accum_grad != 0 else my_context
            with my_context():
                self.forward_step(model, batch, loss_dict=loss_dict)
                self.backward_step(model, scaler, loss_dict=loss_dict)
            self.update_step(model, optim, scheduler, scaler, loss_dict=loss_dict)

    def forward_step(self, model, batch, loss_dict):
        loss, stats, weight = model(**batch)
        loss_dict["loss"] = loss

    def backward_step(self, model, scaler, loss_dict):
        loss = loss_dict["loss"]
        if self.use_deepspeed:
            model.backward(loss)
        else:
            scaled_loss = loss / self.accum_grad
            if scaler is not None:
                scaler.scale(scaled_loss).backward()
            else:
                scaled_loss.backward()

    def update_step(self, model, optim, scheduler, scaler, loss_dict):
        batch_idx = loss_dict["batch_idx"]
        if self.use_deepspeed:
            model.step()
        else:
            if (batch_idx + 1) % self.accum_grad == 0:
                if self.grad_clip > 0:
                    grad_norm = torch.nn.utils.clip_grad_norm_(
                        model.parameters(),
                        max_norm=self.grad_clip,
                        norm_type=self.grad_clip_type,
                    )
                    if not torch.isfinite(grad_norm):
                        optim.zero_grad()
                if scaler is not None:
                    scaler.step(optim)
                    scaler.update()
                else:
                    optim.step()
                scheduler.step()
                optim.zero_grad(set_to_none=True)
