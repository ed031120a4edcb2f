import hydra
import torch
from accelerate import Accelerator
from monai.data import ThreadDataLoader

from dataset import get_transforms, load_datalist
from utils import get_class, initiate, move_batch_to_device


@hydra.main(config_path="config", config_name="root", version_base="1.3")
def main(cfg):
    accelerator = Accelerator(gradient_accumulation_steps=cfg.accumulation_steps)

    datalist = load_datalist(cfg)
    model = initiate(cfg.model, cfg=cfg, skip=True)

    dataset_cls = get_class(cfg.dataset.type)
    datasets = {k: dataset_cls(data=v, transform=get_transforms(k, cfg)) for k, v in datalist.items()}
    loaders = {
        k: ThreadDataLoader(v, batch_size=cfg.batch_size[k] if k == "train" else 1, num_workers=cfg.num_workers)
        for k, v in datasets.items()
    }

    # the scheduler yaml asks for "@WARMUP_STEPS" / "@TOTAL_STEPS", filled in batches here
    for key, value in cfg.scheduler.params.items():
        if isinstance(value, str):
            if "@WARMUP_STEPS" in value:
                frac = float(value.replace("@WARMUP_STEPS=", ""))
                cfg.scheduler.params[key] = int(frac * len(loaders["train"])) * cfg.num_epochs
            elif "@TOTAL_STEPS" in value:
                cfg.scheduler.params[key] = len(loaders["train"]) * cfg.num_epochs

    optim = initiate(cfg.optimizer, params=model.parameters())
    scheduler = initiate(cfg.scheduler, optimizer=optim)
    model, optim, scheduler = accelerator.prepare(model, optim, scheduler)

    for epoch in range(cfg.num_epochs):
        model.train()
        for batch in loaders["train"]:
            batch = move_batch_to_device(batch, accelerator.device)
            with accelerator.accumulate(model):
                pred, loss = model(batch)
                accelerator.backward(loss)
                optim.step()
                scheduler.step()
                optim.zero_grad()

        if epoch % cfg.val_freq == 0 and epoch > 0:
            model.eval()
            with torch.no_grad():
                for batch in loaders["val"]:
                    model(move_batch_to_device(batch, accelerator.device))

    accelerator.end_training()


if __name__ == "__main__":
    main()
