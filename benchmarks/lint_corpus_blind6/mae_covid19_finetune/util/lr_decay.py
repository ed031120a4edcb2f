def param_groups_lrd(model, weight_decay=0.05, no_weight_decay_list=(), layer_decay=0.75):
    num_layers = len(model.blocks) + 1
    scales = [layer_decay ** (num_layers - i) for i in range(num_layers + 1)]
    groups = {}
    for n, p in model.named_parameters():
        if not p.requires_grad:
            continue
        if p.ndim == 1 or n in no_weight_decay_list:
            kind, wd = "no_decay", 0.0
        else:
            kind, wd = "decay", weight_decay
        layer = layer_id_for_vit(n, num_layers)
        key = f"layer_{layer}_{kind}"
        groups.setdefault(key, {"lr_scale": scales[layer], "weight_decay": wd, "params": []})
        groups[key]["params"].append(p)
    return list(groups.values())


def layer_id_for_vit(name, num_layers):
    if name in ("cls_token", "pos_embed") or name.startswith("patch_embed"):
        return 0
    if name.startswith("blocks"):
        return int(name.split(".")[1]) + 1
    return num_layers
