import importlib

from torch import optim


def create_optimizer(optimizer_config, model):
    optim_name = optimizer_config.get("name", "Adam")
    learning_rate = optimizer_config["learning_rate"]
    weight_decay = optimizer_config.get("weight_decay", 0)

    if optim_name == "Adadelta":
        rho = optimizer_config.get("rho", 0.9)
        optimizer = optim.Adadelta(model.parameters(), lr=learning_rate, rho=rho,
                                   weight_decay=weight_decay)
    elif optim_name == "Adagrad":
        lr_decay = optimizer_config.get("lr_decay", 0)
        optimizer = optim.Adagrad(model.parameters(), lr=learning_rate, lr_decay=lr_decay,
                                  weight_decay=weight_decay)
    elif optim_name == "AdamW":
        betas = tuple(optimizer_config.get("betas", (0.9, 0.999)))
        optimizer = optim.AdamW(model.parameters(), lr=learning_rate, betas=betas,
                                weight_decay=weight_decay)
    elif optim_name == "RMSprop":
        alpha = optimizer_config.get("alpha", 0.99)
        optimizer = optim.RMSprop(model.parameters(), lr=learning_rate, alpha=alpha,
                                  weight_decay=weight_decay)
    elif optim_name == "SGD":
        momentum = optimizer_config.get("momentum", 0)
        optimizer = optim.SGD(model.parameters(), lr=learning_rate, momentum=momentum,
                              weight_decay=weight_decay)
    else:  # Adam is default
        betas = tuple(optimizer_config.get("betas", (0.9, 0.999)))
        optimizer = optim.Adam(model.parameters(), lr=learning_rate, betas=betas,
                               weight_decay=weight_decay)
    return optimizer


def create_lr_scheduler(lr_config, optimizer):
    if lr_config is None:
        return None
    class_name = lr_config.pop("name")
    m = importlib.import_module("torch.optim.lr_scheduler")
    clazz = getattr(m, class_name)
    lr_config["optimizer"] = optimizer
    return clazz(**lr_config)
