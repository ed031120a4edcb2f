from collections import defaultdict

import torch
import torch.distributed as dist
from torch.cuda.amp import autocast

from credit.data import concat_and_reshape
from credit.scheduler import update_on_batch
from credit.trainers.base_trainer import BaseTrainer
from credit.trainers.utils import cycle


class Trainer(BaseTrainer):
    def train_one_epoch(self, epoch, conf, trainloader, optimizer, criterion, scaler, scheduler, metrics):
        batches_per_epoch = conf["trainer"]["batches_per_epoch"]
        grad_max_norm = conf["trainer"].get("grad_max_norm", 0.0)
        amp = conf["trainer"]["amp"]
        distributed = True if conf["trainer"]["mode"] in ["fsdp", "ddp"] else False
        backprop_on_timestep = conf["data"].get("backprop_on_timestep", list(range(0, conf["data"]["forecast_len"] + 2)))

        # epoch-wise schedules that do not depend on a metric
        if conf["trainer"]["use_scheduler"] and conf["trainer"]["scheduler"]["scheduler_type"] == "lambda":
            scheduler.step()

        self.model.train()
        dl = cycle(trainloader)
        results_dict = defaultdict(list)
        for steps in range(batches_per_epoch):
            stop_forecast = False
            # one optimizer step per rollout: a backward for every forecast lead time
            while not stop_forecast:
                batch = next(dl)
                if batch["forecast_step"].item() == 1:
                    x = concat_and_reshape(batch["x"], batch["x_surf"]).to(self.device)
                with autocast(enabled=amp):
                    y_pred = self.model(x.float())
                if batch["forecast_step"].item() in backprop_on_timestep:
                    y = concat_and_reshape(batch["y"], batch["y_surf"]).to(self.device)
                    with autocast(enabled=amp):
                        loss = criterion(y.to(y_pred.dtype), y_pred).mean()
                    # compute gradients
                    scaler.scale(loss).backward()
                if distributed:
                    torch.distributed.barrier()
                stop_forecast = batch["stop_forecast"].item()
                if stop_forecast:
                    break
                x = y_pred.detach()

            # Grad norm clipping
            scaler.unscale_(optimizer)
            if grad_max_norm > 0.0:
                torch.nn.utils.clip_grad_norm_(self.model.parameters(), max_norm=grad_max_norm)

            # Step optimizer
            scaler.step(optimizer)
            scaler.update()
            optimizer.zero_grad()

            batch_loss = torch.Tensor([loss.item()]).cuda(self.device)
            if distributed:
                dist.all_reduce(batch_loss, dist.ReduceOp.AVG, async_op=False)
            results_dict["train_loss"].append(batch_loss[0].item())

            if conf["trainer"]["use_scheduler"] and conf["trainer"]["scheduler"]["scheduler_type"] in update_on_batch:
                scheduler.step()
        return results_dict
