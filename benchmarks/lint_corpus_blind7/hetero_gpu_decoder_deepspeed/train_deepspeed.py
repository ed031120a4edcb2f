import json

import deepspeed
import torch.nn as nn


def train(cfg, args, model, dataloader, batch_size):
    with open("ds_config.json") as f:
        ds_config = json.load(f)
    ds_config["train_micro_batch_size_per_gpu"] = batch_size
    model_engine, _, _, _ = deepspeed.initialize(
        args=args, model=model, model_parameters=model.parameters(), config=ds_config
    )
    criterion = nn.CrossEntropyLoss()
    model_engine.train()
    for step, (src, tgt) in enumerate(dataloader):
        if step >= cfg["num_steps"]:
            break
        logits = model_engine(src.cuda())
        loss = criterion(logits.view(-1, cfg["vocab_size"]), tgt.cuda().view(-1))
        model_engine.backward(loss)
        model_engine.step()
