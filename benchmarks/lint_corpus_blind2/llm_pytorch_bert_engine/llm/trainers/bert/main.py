"""BERT pretraining CLI: config file -> engine wrappers -> micro-batch loop."""

from __future__ import annotations

import torch
from transformers import BertConfig, BertForPreTraining

from llm.config import load_config
from llm.engine.initialize import initialize as engine_initialize
from llm.loss import BertPretrainingCriterion
from llm.optimizers import get_optimizer
from llm.schedulers import LinearWarmupLR
from llm.trainers.bert.utils import get_optimizer_grouped_parameters, parse_config


def main(config_path, dataloader):
    config = parse_config(load_config(config_path))

    model = BertForPreTraining(BertConfig())
    grouped_params = get_optimizer_grouped_parameters(model)
    optimizer = get_optimizer(config.OPTIMIZER, grouped_params, config.LR)
    criterion = BertPretrainingCriterion(30522)
    scheduler_ = LinearWarmupLR(optimizer, total_steps=config.STEPS, warmup_steps=config.WARMUP_STEPS)

    model, optimizer, criterion, scheduler = engine_initialize(
        model,
        optimizer,
        criterion=criterion,
        scheduler=scheduler_,
        accumulation_steps=config.ACCUMULATION_STEPS,
        dtype=config.DTYPE,
        max_norm=config.CLIP_GRAD_NORM,
    )

    global_step = 0
    micro_step = 0
    step_loss = 0.0
    model.train()
    while global_step < config.STEPS:
        for batch in dataloader:
            micro_step += 1
            optimizer.zero_grad()
            output = model(
                input_ids=batch.input_ids,
                attention_mask=batch.attention_mask,
                token_type_ids=batch.token_type_ids,
            )
            loss = criterion(
                output.prediction_logits,
                batch.masked_labels,
                output.seq_relationship_logits,
                batch.next_sentence_labels,
            )
            optimizer.backward(loss)
            optimizer.step()
            step_loss += loss.float().item()

            if micro_step % config.ACCUMULATION_STEPS == 0:
                global_step += 1
                print(global_step, step_loss / config.ACCUMULATION_STEPS, scheduler.get_last_lr()[0])
                step_loss = 0.0

            # stepped after logging the current lr
            scheduler.step()

            if global_step >= config.STEPS:
                break
    return 0
