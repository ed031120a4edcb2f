import torch
import transformers
from torch import nn
from torch.cuda.amp import GradScaler, autocast
from tqdm.autonotebook import trange


def batch_to_device(batch, device):
    return {name: tensor.to(device) for name, tensor in batch.items()}


class SentenceTransformer(nn.Sequential):
    """Paraphrase of the sentence-transformers 2.x `fit()` loop (one optimizer per training objective)."""

    @property
    def device(self):
        return next(self.parameters()).device

    def fit(
        self,
        train_objectives,
        epochs=1,
        steps_per_epoch=None,
        scheduler="WarmupLinear",
        warmup_steps=10000,
        optimizer_class=torch.optim.AdamW,
        optimizer_params={"lr": 2e-5},
        weight_decay=0.01,
        max_grad_norm=1,
        use_amp=False,
    ):
        if use_amp:
            scaler = GradScaler()

        dataloaders = [dataloader for dataloader, _ in train_objectives]
        loss_models = [loss for _, loss in train_objectives]
        if steps_per_epoch is None or steps_per_epoch == 0:
            steps_per_epoch = min(len(dataloader) for dataloader in dataloaders)
        num_train_steps = int(steps_per_epoch * epochs)

        optimizers, schedulers = [], []
        for loss_model in loss_models:
            named = list(loss_model.named_parameters())
            no_decay = ["bias", "LayerNorm.bias", "LayerNorm.weight"]
            grouped = [
                {"params": [p for n, p in named if not any(nd in n for nd in no_decay)], "weight_decay": weight_decay},
                {"params": [p for n, p in named if any(nd in n for nd in no_decay)], "weight_decay": 0.0},
            ]
            optimizer = optimizer_class(grouped, **optimizer_params)
            scheduler_obj = self._get_scheduler(optimizer, scheduler, warmup_steps, num_train_steps)
            optimizers.append(optimizer)
            schedulers.append(scheduler_obj)

        iterators = [iter(dataloader) for dataloader in dataloaders]
        skip_scheduler = False
        for epoch in trange(epochs, desc="Epoch"):
            for loss_model in loss_models:
                loss_model.zero_grad()
                loss_model.train()

            for _ in trange(steps_per_epoch, desc="Iteration"):
                for idx in range(len(train_objectives)):
                    loss_model = loss_models[idx]
                    optimizer = optimizers[idx]
                    scheduler = schedulers[idx]
                    try:
                        data = next(iterators[idx])
                    except StopIteration:
                        iterators[idx] = iter(dataloaders[idx])
                        data = next(iterators[idx])

                    features, labels = data
                    labels = labels.to(self.device)
                    features = [batch_to_device(f, self.device) for f in features]

                    if use_amp:
                        with autocast():
                            loss_value = loss_model(features, labels)
                        scale_before_step = scaler.get_scale()
                        scaler.scale(loss_value).backward()
                        scaler.unscale_(optimizer)
                        torch.nn.utils.clip_grad_norm_(loss_model.parameters(), max_grad_norm)
                        scaler.step(optimizer)
                        scaler.update()
                        skip_scheduler = scaler.get_scale() != scale_before_step
                    else:
                        loss_value = loss_model(features, labels)
                        loss_value.backward()
                        torch.nn.utils.clip_grad_norm_(loss_model.parameters(), max_grad_norm)
                        optimizer.step()

                    optimizer.zero_grad()

                    if not skip_scheduler:
                        scheduler.step()

    @staticmethod
    def _get_scheduler(optimizer, scheduler, warmup_steps, t_total):
        scheduler = scheduler.lower()
        if scheduler == "constantlr":
            return transformers.get_constant_schedule(optimizer)
        if scheduler == "warmupconstant":
            return transformers.get_constant_schedule_with_warmup(optimizer, num_warmup_steps=warmup_steps)
        if scheduler == "warmuplinear":
            return transformers.get_linear_schedule_with_warmup(
                optimizer, num_warmup_steps=warmup_steps, num_training_steps=t_total
            )
        if scheduler == "warmupcosine":
            return transformers.get_cosine_schedule_with_warmup(
                optimizer, num_warmup_steps=warmup_steps, num_training_steps=t_total
            )
        raise ValueError(f"Unknown scheduler {scheduler}")
