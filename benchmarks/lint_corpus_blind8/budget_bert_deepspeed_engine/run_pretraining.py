import deepspeed
import torch.distributed as dist

from pretraining.base import BasePretrainModel
from pretraining.optimizers import get_optimizer
from pretraining.schedules import get_scheduler


def train(args, index, model, optimizer, lr_scheduler, pretrain_dataset_provider):
    global global_step
    dataset_iterator, total_length = pretrain_dataset_provider.get_shard(index)
    model.train()
    for batch_index_number, batch_index in enumerate(dataset_iterator):
        if batch_index_number > args.max_steps_per_epoch:
            break
        batch = pretrain_dataset_provider.get_batch(batch_index)
        batch = tuple(t.to(args.device) for t in batch)
        total_loss = model.forward(batch)
        model.network.backward(total_loss)
        total_loss = None
        if model.network.is_gradient_accumulation_boundary():
            model.network.step()
            global_step += 1
        else:
            model.network.step()


def prepare_optimizer_parameters(args, model):
    param_optimizer = list(model.network.named_parameters())
    param_optimizer = [n for n in param_optimizer if "pooler" not in n[0]]
    no_decay = ["bias", "LayerNorm.bias", "LayerNorm.weight"]
    optimizer_grouped_parameters = [
        {"params": [p for n, p in param_optimizer if not any(nd in n for nd in no_decay)], "weight_decay": args.optimizer_args.weight_decay},
        {"params": [p for n, p in param_optimizer if any(nd in n for nd in no_decay)], "weight_decay": 0.0},
    ]
    return optimizer_grouped_parameters


def prepare_model_and_optimizer(args):
    model = BasePretrainModel(args)
    optimizer_grouped_parameters = prepare_optimizer_parameters(args, model)
    optimizer = get_optimizer(args.optimizer_args, args.lr, optimizer_grouped_parameters)
    lr_scheduler = get_scheduler(args.schedule_args, optimizer, args)
    model.network, optimizer, _, lr_scheduler = deepspeed.initialize(
        args=args,
        model=model.network,
        model_parameters=optimizer_grouped_parameters,
        optimizer=optimizer,
        lr_scheduler=lr_scheduler,
        config_params=args.ds_config,
    )
    args.gradient_accumulation_steps = model.network.gradient_accumulation_steps()
    return model, optimizer, lr_scheduler
