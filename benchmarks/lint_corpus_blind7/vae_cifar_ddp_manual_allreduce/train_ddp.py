import torch
from torch.distributions import Normal
from torch.nn.parallel import DistributedDataParallel

from ddp_utils import average_gradients, average_params

mse = torch.nn.MSELoss(reduction="none")


def train_step(netG, netI, optG, optI, train_dl, args):
    netG.train()
    netI.train()
    for b, x in enumerate(train_dl):
        x = x.cuda(args["local_rank"])
        if b % 100 == 0:
            average_params(netG.parameters(), True)
            average_params(netI.parameters(), True)
        optG.zero_grad()
        optI.zero_grad()
        mu, sig = netI(x)
        q = Normal(mu, sig)
        z = q.rsample()
        rec = mse(x, netG(z)).sum() / x.shape[0]
        kl = (q.log_prob(z) - Normal(torch.zeros_like(z), torch.ones_like(z)).log_prob(z)).sum() / x.shape[0]
        loss = rec + kl
        loss.backward()
        average_gradients(netG.parameters(), args["distributed"])
        average_gradients(netI.parameters(), args["distributed"])
        optG.step()
        optI.step()


def init_net_and_opt(args):
    netG = DistributedDataParallel(_netG(args["z1_dim"]).cuda(args["local_rank"]), device_ids=[args["local_rank"]])
    netI = DistributedDataParallel(_netI(args["z1_dim"]).cuda(args["local_rank"]), device_ids=[args["local_rank"]])
    optG = torch.optim.Adam(netG.parameters(), lr=args["g_lr"])
    optI = torch.optim.Adam(netI.parameters(), lr=args["i_lr"])
    return netG, netI, optG, optI
