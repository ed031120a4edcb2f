import torch
from accelerate import Accelerator, DistributedDataParallelKwargs

from train import get_model, get_optimizer_and_scheduler


def train(configs, train_dataloader, fm, extract_features):
    model = get_model(configs=configs, ckpt_path=configs["train"]["resume_ckpt_path"])
    optimizer, scheduler = get_optimizer_and_scheduler(configs=configs, params=model.parameters())
    accelerator = Accelerator(
        mixed_precision=configs["train"]["precision"],
        kwargs_handlers=[DistributedDataParallelKwargs(find_unused_parameters=True)],
    )
    model, optimizer, train_dataloader = accelerator.prepare(model, optimizer, train_dataloader)
    for step, data in enumerate(train_dataloader):
        with accelerator.accumulate(model):
            target, cond_dict = extract_features(data)
            noise = torch.randn_like(target)
            t, xt, ut = fm.sample_location_and_conditional_flow(x0=noise, x1=target)
            model.train()
            vt = model(t=t, x=xt, cond_dict=cond_dict)
            loss = torch.mean((vt - ut) ** 2)
            optimizer.zero_grad()
            accelerator.backward(loss)
            optimizer.step()
        if scheduler:
            scheduler.step()
        if step == configs["train"]["training_steps"]:
            break
