import logging

import torch

from minigpt4.common.logger import MetricLogger, SmoothedValue
from minigpt4.datasets.data_utils import prepare_sample


class BaseTask:
    def train_step(self, model, samples):
        loss = model(samples)["loss"]
        return loss

    def train_epoch(self, epoch, model, data_loader, optimizer, lr_scheduler, scaler=None, cuda_enabled=False,
                    log_freq=50, accum_grad_iters=1):
        return self._train_inner_loop(
            epoch=epoch,
            iters_per_epoch=lr_scheduler.iters_per_epoch,
            model=model,
            data_loader=data_loader,
            optimizer=optimizer,
            scaler=scaler,
            lr_scheduler=lr_scheduler,
            log_freq=log_freq,
            cuda_enabled=cuda_enabled,
            accum_grad_iters=accum_grad_iters,
        )

    def _train_inner_loop(self, epoch, iters_per_epoch, model, data_loader, optimizer, lr_scheduler, scaler=None,
                          start_iters=None, log_freq=50, cuda_enabled=False, accum_grad_iters=1):
        use_amp = scaler is not None
        if not hasattr(data_loader, "__next__"):
            data_loader = iter(data_loader)
        metric_logger = MetricLogger(delimiter="  ")
        metric_logger.add_meter("loss", SmoothedValue(window_size=1, fmt="{value:.4f}"))
        inner_epoch = epoch if start_iters is None else start_iters // iters_per_epoch

        for i in metric_logger.log_every(range(iters_per_epoch), log_freq, "Train"):
            if i >= iters_per_epoch:
                break
            samples = prepare_sample(next(data_loader), cuda_enabled=cuda_enabled)

            # stateless: the learning rate is computed from (epoch, iteration)
            lr_scheduler.step(cur_epoch=inner_epoch, cur_step=i)

            with torch.cuda.amp.autocast(enabled=use_amp):
                loss = self.train_step(model=model, samples=samples)

            if use_amp:
                scaler.scale(loss).backward()
            else:
                loss.backward()

            # update gradients every accum_grad_iters iterations
            if (i + 1) % accum_grad_iters == 0:
                if use_amp:
                    scaler.step(optimizer)
                    scaler.update()
                else:
                    optimizer.step()
                optimizer.zero_grad()
            metric_logger.update(loss=loss.item())
        logging.info("Averaged stats: " + str(metric_logger.global_avg()))
