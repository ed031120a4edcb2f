import torch
import torch.optim as optim
from torch.nn.utils import clip_grad_norm_

from wenet.utils.scheduler import NoamHoldAnnealing, WarmupLR


def add_ddp_args(parser):
    parser.add_argument("--train_engine", default="torch_ddp", choices=["torch_ddp", "deepspeed"])
    parser.add_argument("--use_amp", action="store_true", default=False, help="automatic mixed precision")
    return parser


def init_scaler(args):
    # the GradScaler exists only with --use_amp; update_parameter_and_lr asserts it then
    scaler = None
    if args.use_amp:
        scaler = torch.cuda.amp.GradScaler()
    return scaler


def init_optimizer_and_scheduler(args, configs, model):
    if configs["optim"] == "adam":
        optimizer = optim.Adam(model.parameters(), **configs["optim_conf"])
    elif configs["optim"] == "adamw":
        optimizer = optim.AdamW(model.parameters(), **configs["optim_conf"])
    else:
        raise ValueError("unknown optimizer: " + configs["optim"])

    if configs["scheduler"] == "warmuplr":
        scheduler = WarmupLR(optimizer, **configs["scheduler_conf"])
    elif configs["scheduler"] == "NoamHoldAnnealing":
        scheduler = NoamHoldAnnealing(optimizer, **configs["scheduler_conf"])
    else:
        raise ValueError("unknown scheduler: " + configs["scheduler"])
    scheduler.set_step(configs.get("init_infos", {}).get("step", -1))
    return model, optimizer, scheduler


def batch_forward(model, batch, scaler, info_dict):
    with torch.cuda.amp.autocast(scaler is not None):
        loss_dict = model(batch["feats"], batch["feats_lengths"], batch["target"], batch["target_lengths"])
    info_dict["loss_dict"] = loss_dict
    return info_dict


def batch_backward(model, scaler, info_dict):
    accum_grad = info_dict.get("accum_grad", 1)
    use_amp = info_dict.get("use_amp", False)
    loss = info_dict["loss_dict"]["loss"]
    loss = loss / accum_grad
    if use_amp:
        scaler.scale(loss).backward()
    else:
        loss.backward()
    return info_dict


def update_parameter_and_lr(model, optimizer, scheduler, scaler, info_dict):
    accum_grad = info_dict.get("accum_grad", 1)
    use_amp = info_dict.get("use_amp", False)
    clip = info_dict.get("grad_clip", 50.0)
    step = info_dict["step"]
    if use_amp:
        assert scaler is not None

    if (step + 1) % accum_grad == 0:
        if use_amp:
            scaler.unscale_(optimizer)
            grad_norm = clip_grad_norm_(model.parameters(), clip)
            # no finiteness check here: scaler.step skips the update on inf/nan
            scaler.step(optimizer)
            scaler.update()
        else:
            grad_norm = clip_grad_norm_(model.parameters(), clip)
            if torch.isfinite(grad_norm):
                optimizer.step()
        optimizer.zero_grad()
        scheduler.step()

    info_dict["lr"] = optimizer.param_groups[0]["lr"]
    return info_dict
