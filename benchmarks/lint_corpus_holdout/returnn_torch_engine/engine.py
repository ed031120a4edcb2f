from contextlib import nullcontext

import torch


class Engine:
    """PyTorch engine: the model forward runs inside the train step function of the user's config."""

    def __init__(self, config, updater, train_step_func, torch_distributed_ctx=None):
        self.config = config
        self._updater = updater
        self._train_step_func = train_step_func
        self._torch_distributed_ctx = torch_distributed_ctx
        self._orig_model = None
        self._pt_model = None
        self._ddp_pt_model = None
        self._grad_scaler = None
        self.global_train_step = 0

    def init_train(self, model):
        self._orig_model = model
        self._pt_model = model
        if self._torch_distributed_ctx:
            self._ddp_pt_model = torch.nn.parallel.DistributedDataParallel(self._pt_model)
        if self.config.bool("torch_amp", False):
            self._grad_scaler = torch.cuda.amp.GradScaler()

    def train_epoch(self, data_iter):
        accum_grad_multiple_step = self.config.int("accum_grad_multiple_step", 1)
        zero_grad_next_step = True
        cur_count_grad_accum = 0
        self._pt_model.train()
        for extern_data in data_iter:
            # clear the gradients when every gradient accumulation loop starts
            if zero_grad_next_step:
                self._updater.get_optimizer().zero_grad()
                cur_count_grad_accum = 0

            self._run_step(extern_data, train_flag=True)
            total_loss = self._run_ctx_total_loss()

            cur_count_grad_accum += 1
            perform_update_step = cur_count_grad_accum >= accum_grad_multiple_step
            with self._ddp_pt_model.no_sync() if (self._ddp_pt_model is not None and not perform_update_step) else nullcontext():
                if self._grad_scaler is not None:
                    self._grad_scaler.scale(total_loss).backward()
                else:
                    total_loss.backward()

            # only update the weights when every gradient accumulation loop ends
            if perform_update_step:
                self._updater.step(grad_scaler=self._grad_scaler)
            zero_grad_next_step = perform_update_step
            self.global_train_step += 1

    def _run_step(self, extern_data, *, train_flag=False, _inside_wrapped=False):
        if self._ddp_pt_model is not None and not _inside_wrapped:
            # the DDP wrapper's forward calls back into _run_step(_inside_wrapped=True)
            self._ddp_pt_model(extern_data=extern_data, train_flag=train_flag)
            return
        self._train_step_func(model=self._orig_model, extern_data=extern_data)

    def _run_ctx_total_loss(self):
        raise NotImplementedError
