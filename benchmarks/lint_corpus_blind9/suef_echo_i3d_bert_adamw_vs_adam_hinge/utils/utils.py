import torch
import torch.nn as nn

from hinge_loss import HingeLossRegression


def create_criterion_and_optimizer(cfg, model, train_data_loader):
    if cfg.optimizer.loss_function == "hinge":
        goal_type = "regression"
        criterion = HingeLossRegression(cfg.optimizer.loss_epsilon, reduction=None)
        # Hinge loss is dependent on L2 regularization so we cannot use AdamW
        optimizer = torch.optim.Adam(filter(lambda p: p.requires_grad, model.parameters()),
                                     lr=cfg.optimizer.learning_rate, weight_decay=cfg.optimizer.weight_decay)
    elif cfg.optimizer.loss_function == "mse":
        goal_type = "regression"
        criterion = nn.MSELoss(reduction="none")
        optimizer = torch.optim.AdamW(filter(lambda p: p.requires_grad, model.parameters()),
                                      lr=cfg.optimizer.learning_rate, weight_decay=cfg.optimizer.weight_decay)
    else:
        goal_type = "classification"
        criterion = nn.CrossEntropyLoss(reduction="none")
        optimizer = torch.optim.AdamW(filter(lambda p: p.requires_grad, model.parameters()),
                                      lr=cfg.optimizer.learning_rate, weight_decay=cfg.optimizer.weight_decay)
    return criterion, optimizer, goal_type
