import argparse

import torch

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--bs", default=128, type=int)
    parser.add_argument("--n_critic", default=5, type=int)
    parser.add_argument("--lr", default=2e-4, type=float)
    parser.add_argument("--iterations", default=100000, type=int)
    parser.add_argument("--lambda_m", default=10, type=int)
    parser.add_argument("--beta1", default=0.9, type=float)
    args = parser.parse_args()
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    generator = SimpleGenerator(100).to(device)
    discriminator = SimpleDiscriminator().to(device)
    opt_g = torch.optim.Adam(generator.parameters(), args.lr, betas=[args.beta1, 0.999])
    opt_d = torch.optim.Adam(discriminator.parameters(), args.lr, betas=[args.beta1, 0.999])
    ids = torch.tensor([1] * args.bs + [0] * args.bs, device=device).float()
    criterion = torch.nn.BCEWithLogitsLoss()

    for iteration in range(1, 1 + args.iterations):
        for i, (gt, _) in enumerate(train_dataloader):
            if i == args.n_critic:
                break
            opt_d.zero_grad()
            fake = generator.generate(gt.shape[0], device)
            gt = gt.to(device)
            loss = criterion(discriminator(torch.cat((gt, fake), dim=0)).flatten(), ids)
            loss.backward()
            lambdas = torch.rand(gt.shape[0], device=device).reshape(-1, 1, 1, 1)
            mixed = (fake * lambdas + (1 - lambdas) * gt).requires_grad_(True)
            scores = discriminator(mixed)
            grads = torch.autograd.grad(scores, mixed, torch.ones_like(scores), create_graph=True)[0]
            penalty = (grads.reshape(grads.shape[0], -1).norm(2, dim=-1) - 1).square().mean()
            (penalty * args.lambda_m).backward()
            opt_d.step()
        opt_g.zero_grad()
        new_scores = discriminator(generator.generate(args.bs, device))
        g_loss = criterion(new_scores, torch.ones_like(new_scores))
        g_loss.backward()
        opt_g.step()
