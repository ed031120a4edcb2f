import torch


def make_optimizer(name, params, lr):
    if isinstance(name, str) and name.lower() == "adam":
        name = "Adam"
    try:
        return getattr(torch.optim, name)(params, lr=lr)
    except AttributeError:
        raise NotImplementedError("optimizer={} is not supported.".format(name))


def parse_regularizer(reg):
    pairs = []
    if isinstance(reg, float):
        pairs.append((2, reg))
    elif isinstance(reg, str):
        if reg.startswith("l1(") or reg.startswith("l2("):
            pairs.append((int(reg[1]), float(reg.rstrip(")").split("(")[-1])))
        elif reg.startswith("l1_l2"):
            a, b = reg.rstrip(")").split("(")[-1].split(",")
            pairs += [(1, float(a)), (2, float(b))]
    return pairs
