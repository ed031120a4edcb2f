import whisper
import yaml
from transformers import get_linear_schedule_with_warmup

from optimizer import build_optimizer
from train_utils import train_step


def main(config_path, train_iter):
    config = yaml.safe_load(open(config_path))
    model = whisper.load_model(config["model"]["init_name"], device="cuda")
    optimizer = build_optimizer(model, config["optimizer"])
    scheduler = get_linear_schedule_with_warmup(
        optimizer,
        num_warmup_steps=config["lr_scheduler"]["warmup_steps"],
        num_training_steps=config["training"]["train_steps"],
    )
    t_config = {
        "mixed_precision_training": config["training"]["mixed_precision"],
        "mp_dtype": config["training"]["mp_dtype"],
        "accum_grad_steps": config["training"]["accum_grad_steps"],
        "max_grad_norm": config["training"]["max_grad_norm"],
    }
    for step in range(1, config["training"]["train_steps"] + 1):
        train_step(model, train_iter, optimizer, scheduler, t_config)


if __name__ == "__main__":
    main("configs/medium_mp.yaml", train_iter=None)
