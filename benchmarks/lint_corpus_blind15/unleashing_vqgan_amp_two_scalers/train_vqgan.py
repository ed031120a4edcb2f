import torch

from hparams import get_vqgan_hparams
from models.vqgan import VQGAN
from utils.data_utils import cycle, get_data_loader


def main(H):
    vqgan = VQGAN(H).cuda()
    train_loader, val_loader = get_data_loader(H.dataset, H.img_size, H.batch_size)
    train_iterator = cycle(train_loader)

    optim = torch.optim.Adam(vqgan.ae.parameters(), lr=H.lr)
    d_optim = torch.optim.Adam(vqgan.disc.parameters(), lr=H.lr)

    if H.amp:
        scaler = torch.cuda.amp.GradScaler()
        d_scaler = torch.cuda.amp.GradScaler()

    for step in range(H.train_steps):
        x = next(train_iterator).cuda()
        if H.amp:
            optim.zero_grad()
            with torch.cuda.amp.autocast():
                x_hat, stats = vqgan.train_iter(x, step)
            scaler.scale(stats["loss"]).backward()
            scaler.step(optim)
            scaler.update()
        else:
            x_hat, stats = vqgan.train_iter(x, step)
            optim.zero_grad()
            stats["loss"].backward()
            optim.step()

        if step > H.disc_start_step:
            if H.amp:
                d_optim.zero_grad()
                d_scaler.scale(stats["d_loss"]).backward()
                d_scaler.step(d_optim)
                d_scaler.update()
            else:
                d_optim.zero_grad()
                stats["d_loss"].backward()
                d_optim.step()


if __name__ == "__main__":
    main(get_vqgan_hparams())
