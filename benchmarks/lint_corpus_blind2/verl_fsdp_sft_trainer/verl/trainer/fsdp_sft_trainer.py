"""SFT trainer over FSDP (early 2025 shape): a global batch split into micro-batches per step."""

import torch
from torch import nn, optim
from torch.distributed.fsdp import FullyShardedDataParallel as FSDP
from torch.distributed.fsdp import MixedPrecision, ShardingStrategy
from transformers import AutoModelForCausalLM, get_cosine_schedule_with_warmup


class FSDPSFTTrainer:
    def __init__(self, config, device_mesh, train_dataloader):
        self.config = config
        self.device_mesh = device_mesh
        self.train_dataloader = train_dataloader
        self._build_model_optimizer()

    def _build_model_optimizer(self):
        self.model = AutoModelForCausalLM.from_pretrained(self.config.model.partial_pretrain, torch_dtype=torch.float32)
        mixed_precision = MixedPrecision(
            param_dtype=torch.bfloat16, reduce_dtype=torch.float32, buffer_dtype=torch.float32
        )
        self.fsdp_model = FSDP(
            module=self.model,
            sharding_strategy=ShardingStrategy.FULL_SHARD,
            mixed_precision=mixed_precision,
            device_mesh=self.device_mesh,
            sync_module_states=True,
            device_id=torch.cuda.current_device(),
            use_orig_params=False,
        )

        self.optimizer = optim.AdamW(
            self.fsdp_model.parameters(),
            lr=self.config.optim.lr,
            betas=self.config.optim.betas,
            weight_decay=self.config.optim.weight_decay,
        )

        # one step per global batch of the dataloader
        steps_per_epoch = len(self.train_dataloader)
        total_steps = steps_per_epoch * self.config.trainer.total_epochs
        num_warmup_steps = int(total_steps * self.config.optim.warmup_steps_ratio)
        self.lr_scheduler = get_cosine_schedule_with_warmup(
            optimizer=self.optimizer, num_warmup_steps=num_warmup_steps, num_training_steps=total_steps
        )

    def _compute_loss_and_backward(self, batch, do_backward=True):
        input_ids = batch["input_ids"].cuda()
        attention_mask = batch["attention_mask"].cuda()
        loss_mask = batch.pop("loss_mask")[:, :-1].reshape(-1).cuda()
        loss_fct = nn.CrossEntropyLoss(reduction="none")
        with torch.autocast(device_type="cuda", dtype=torch.bfloat16):
            logits = self.fsdp_model(input_ids=input_ids, attention_mask=attention_mask, use_cache=False).logits
            shift_logits = logits[..., :-1, :].reshape(-1, logits.size(-1))
            shift_labels = input_ids[:, 1:].reshape(-1)
            loss = loss_fct(shift_logits, shift_labels) * loss_mask
            # mean over this micro-batch's response tokens
            loss = torch.sum(loss) / (torch.sum(loss_mask) + 1e-8)
            if do_backward:
                loss.backward()
            return loss

    def training_step(self, batch):
        self.fsdp_model.train()
        self.optimizer.zero_grad()

        micro_batches = batch.split(self.config.data.micro_batch_size_per_gpu)
        n_micro_batches = len(micro_batches)
        step_loss = 0
        for micro_batch in micro_batches:
            loss = self._compute_loss_and_backward(batch=micro_batch) / n_micro_batches
            step_loss += loss.item()

        grad_norm = self.fsdp_model.clip_grad_norm_(max_norm=self.config.optim.clip_grad)

        # if grad_norm is not finite, skip the update
        if not torch.isfinite(grad_norm):
            print(f"WARN: grad_norm is not finite: {grad_norm}")
            self.optimizer.zero_grad()
        else:
            self.optimizer.step()

        self.lr_scheduler.step()
        return {"train/loss": step_loss, "train/lr": self.lr_scheduler.get_last_lr()[0]}

    def fit(self):
        for epoch in range(self.config.trainer.total_epochs):
            for data in self.train_dataloader:
                self.training_step(data)
