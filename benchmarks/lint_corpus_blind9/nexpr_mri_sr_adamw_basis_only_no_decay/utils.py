from torch.optim import AdamW


def make_optimizer(model, optimizer_spec, load_sd=False):
    Optimizer = {
        "adamw": AdamW
    }[optimizer_spec["name"]]
    other_params = []
    basis_params = []
    for n, p in model.named_parameters():
        if "basis" in n:
            basis_params.append(p)
        else:
            other_params.append(p)
    if len(basis_params) > 0:
        optimizer = Optimizer(
            [{"params": other_params}, {"params": basis_params, "weight_decay": 0}],
            **optimizer_spec["args"])
    else:
        optimizer = Optimizer(other_params, **optimizer_spec["args"])
    if load_sd:
        optimizer.load_state_dict(optimizer_spec["sd"])
    return optimizer
