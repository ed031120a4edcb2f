"""Paraphrase of src/main.py (gzerveas/mvts_transformer): optimizer construction and the runner."""
from models.ts_transformer import model_factory
from optimizers import get_optimizer
from options import Options
from running import SupervisedRunner


def main(config, data, train_loader, loss_module):
    model = model_factory(config, data)

    if config["global_reg"]:
        weight_decay = config["l2_reg"]
        output_reg = None
    else:
        weight_decay = 0
        output_reg = config["l2_reg"]

    optim_class = get_optimizer(config["optimizer"])
    optimizer = optim_class(model.parameters(), lr=config["lr"], weight_decay=weight_decay)

    trainer = SupervisedRunner(model, train_loader, loss_module, optimizer, l2_reg=output_reg)
    for _epoch in range(config["epochs"]):
        trainer.train_epoch()


if __name__ == "__main__":
    main(Options().parse(), None, None, None)
