import math

import torch
from torch.cuda import amp
from transformers import AdamW, get_linear_schedule_with_warmup

from simpletransformers.config.model_args import ClassificationArgs


class ClassificationModel:
    def __init__(self, model, args=None):
        self.model = model
        self.args = ClassificationArgs()
        if isinstance(args, dict):
            for key, value in args.items():
                setattr(self.args, key, value)

    def _grouped_parameters(self, model):
        args = self.args
        no_decay = ["bias", "LayerNorm.weight"]
        groups = []
        custom_names = set()
        for group in args.custom_parameter_groups:
            names = group.pop("params")
            custom_names.update(names)
            groups.append({**group, "params": [p for n, p in model.named_parameters() if n in names]})
        if not args.train_custom_parameters_only:
            groups.extend(
                [
                    {
                        "params": [
                            p
                            for n, p in model.named_parameters()
                            if n not in custom_names and not any(nd in n for nd in no_decay)
                        ],
                        "weight_decay": args.weight_decay,
                    },
                    {
                        "params": [
                            p
                            for n, p in model.named_parameters()
                            if n not in custom_names and any(nd in n for nd in no_decay)
                        ],
                        "weight_decay": 0.0,
                    },
                ]
            )
        return groups

    def train(self, train_dataloader):
        model = self.model
        args = self.args
        t_total = len(train_dataloader) // args.gradient_accumulation_steps * args.num_train_epochs
        warmup_steps = math.ceil(t_total * args.warmup_ratio)
        args.warmup_steps = warmup_steps if args.warmup_steps == 0 else args.warmup_steps

        optimizer = AdamW(self._grouped_parameters(model), lr=args.learning_rate, eps=args.adam_epsilon)
        scheduler = get_linear_schedule_with_warmup(
            optimizer, num_warmup_steps=args.warmup_steps, num_training_steps=t_total
        )
        if args.n_gpu > 1:
            model = torch.nn.DataParallel(model)
        if self.args.fp16:
            scaler = amp.GradScaler()

        global_step = 0
        model.zero_grad()
        for _ in range(int(args.num_train_epochs)):
            model.train()
            for step, batch in enumerate(train_dataloader):
                if self.args.fp16:
                    with amp.autocast():
                        loss = model(**batch)[0]
                else:
                    loss = model(**batch)[0]
                if args.n_gpu > 1:
                    loss = loss.mean()

                if args.gradient_accumulation_steps > 1:
                    loss = loss / args.gradient_accumulation_steps

                if self.args.fp16:
                    scaler.scale(loss).backward()
                else:
                    loss.backward()

                if (step + 1) % args.gradient_accumulation_steps == 0:
                    if self.args.fp16:
                        scaler.unscale_(optimizer)
                    torch.nn.utils.clip_grad_norm_(model.parameters(), args.max_grad_norm)

                    if self.args.fp16:
                        scaler.step(optimizer)
                        scaler.update()
                    else:
                        optimizer.step()
                    scheduler.step()  # Update learning rate schedule
                    model.zero_grad()
                    global_step += 1
        return global_step
