import click

import dnnlib
from training import training_loop


@click.command()
@click.option("--batch", "batch_size", type=int, default=512)
@click.option("--batch-gpu", type=int, default=None)
@click.option("--lr", type=float, default=10e-4)
def main(batch_size, batch_gpu, lr):
    c = dnnlib.EasyDict()
    c.optimizer_kwargs = dnnlib.EasyDict(class_name="torch.optim.Adam", lr=lr, betas=[0.9, 0.999], eps=1e-8)
    c.batch_size = batch_size
    c.batch_gpu = batch_gpu
    training_loop.training_loop(**c)


if __name__ == "__main__":
    main()
