import torch


def get_optimizer_and_scheduler(args, model, scheduler_mode="min"):
    optimizer = torch.optim.Adam(filter(lambda p: p.requires_grad, model.parameters()), lr=args.lr, weight_decay=args.w_decay)

    if args.scheduler == "plateau":
        scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode=scheduler_mode, factor=0.7,
                                                               patience=args.scheduler_patience, min_lr=args.lr / 100)
    else:
        print("No scheduler")
        scheduler = None
    return optimizer, scheduler


def get_model(args, device, t_to_sigma):
    from models.score_model import TensorProductScoreModel
    model = TensorProductScoreModel(t_to_sigma=t_to_sigma, batch_norm=not args.no_batch_norm)
    model.to(device)
    return model


class ExponentialMovingAverage:
    def __init__(self, parameters, decay):
        self.decay = decay
        self.shadow_params = [p.clone().detach() for p in parameters if p.requires_grad]
