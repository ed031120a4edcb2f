def build_param_lr_groups(model, cfg):
    """One group per module named in cfg.trainer.learning_rate (its own lr), the rest at the base lr."""
    lr_cfg = cfg.trainer.learning_rate
    used, groups = set(), []
    for module_name, lr in lr_cfg.items():
        if module_name == "base":
            continue
        module = model
        for attr in module_name.split("."):
            module = getattr(module, attr)
        params = [p for p in module.parameters()]
        if params:
            groups.append({"params": params, "lr": lr, "name": module_name})
            used.update(id(p) for p in params)
    rest = [p for p in model.parameters() if id(p) not in used]
    if rest:
        groups.append({"params": rest, "lr": lr_cfg.get("base", 1e-4), "name": "base"})
    return groups


class TrainerUtils:
    @staticmethod
    def setup_distributed_training(accelerator, *components):
        return accelerator.prepare(*components)
