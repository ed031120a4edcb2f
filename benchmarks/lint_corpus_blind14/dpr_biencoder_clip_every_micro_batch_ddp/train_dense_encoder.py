import hydra
import torch

from dpr.biencoder import BiEncoder
from dpr.hf_models import get_bert_biencoder_components
from dpr.model_utils import get_schedule_linear, setup_for_distributed_mode


class BiEncoderTrainer:
    def __init__(self, cfg):
        model, optimizer = get_bert_biencoder_components(cfg, BiEncoder)
        model, optimizer = setup_for_distributed_mode(model, optimizer, cfg.device, cfg.n_gpu, cfg.local_rank,
                                                      cfg.fp16, cfg.fp16_opt_level)
        self.biencoder = model
        self.optimizer = optimizer
        self.cfg = cfg

    def run_train(self, train_iterator):
        cfg = self.cfg
        updates_per_epoch = train_iterator.max_iterations // cfg.train.gradient_accumulation_steps
        total_updates = updates_per_epoch * cfg.train.num_train_epochs
        scheduler = get_schedule_linear(self.optimizer, cfg.train.warmup_steps, total_updates)
        for epoch in range(int(cfg.train.num_train_epochs)):
            self._train_epoch(scheduler, epoch, train_iterator)

    def _train_epoch(self, scheduler, epoch, train_iterator):
        cfg = self.cfg
        self.biencoder.train()
        for i, samples_batch in enumerate(train_iterator.iterate_ds_data(epoch=epoch)):
            loss = _do_biencoder_fwd_pass(self.biencoder, samples_batch, cfg)
            if cfg.fp16:
                from apex import amp

                with amp.scale_loss(loss, self.optimizer) as scaled_loss:
                    scaled_loss.backward()
                if cfg.train.max_grad_norm > 0:
                    torch.nn.utils.clip_grad_norm_(amp.master_params(self.optimizer), cfg.train.max_grad_norm)
            else:
                loss.backward()
                if cfg.train.max_grad_norm > 0:
                    torch.nn.utils.clip_grad_norm_(self.biencoder.parameters(), cfg.train.max_grad_norm)
            if (i + 1) % cfg.train.gradient_accumulation_steps == 0:
                self.optimizer.step()
                scheduler.step()
                self.biencoder.zero_grad()


def _do_biencoder_fwd_pass(model, batch, cfg):
    loss = model.nll_loss(batch)
    if cfg.n_gpu > 1:
        loss = loss.mean()
    if cfg.train.gradient_accumulation_steps > 1:
        loss = loss / cfg.gradient_accumulation_steps
    return loss


@hydra.main(config_path="conf", config_name="biencoder_train_cfg")
def main(cfg):
    BiEncoderTrainer(cfg).run_train(cfg.train_iterator)
