from torch import optim


def configure_optimizers(model, lr=1e-3):
    trainable = [p for n, p in model.named_parameters() if p.requires_grad]
    return optim.SGD(trainable, lr=lr, momentum=0.9, weight_decay=5e-4)
