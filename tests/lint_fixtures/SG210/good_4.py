# GAN-style alternating updates: the discriminator steps on every batch, the generator every k.
# Zeroing the discriminator on every batch is right; this is not an accumulation window.
def train(gen, disc, loader, opt_g, opt_d, d_loss_fn, g_loss_fn, k=5):
    for i, real in enumerate(loader):
        opt_d.zero_grad()
        d_loss = d_loss_fn(disc, gen, real)
        d_loss.backward()
        opt_d.step()
        if i % k == 0:
            opt_g.zero_grad()
            g_loss = g_loss_fn(disc, gen)
            g_loss.backward()
            opt_g.step()
        if i % 100 == 0:
            print(f"{i}: d={d_loss.item():.3f}")
