# A GAN loop steps both optimizers through a training wrapper that owns the GradScaler
# (`accel.scaler`): each scheduler steps right after, also when the scaler skipped the update.
import torch


def train_loop(state, batch, accel):
    with accel.autocast():
        fake = state.generator(batch)
        d_loss = state.losses.discriminator(fake.detach(), batch)
    state.optimizer_d.zero_grad()
    accel.backward(d_loss)
    accel.scaler.unscale_(state.optimizer_d)
    torch.nn.utils.clip_grad_norm_(state.discriminator.parameters(), 10.0)
    accel.step(state.optimizer_d)
    state.scheduler_d.step()

    with accel.autocast():
        g_loss = state.losses.generator(fake, batch)
    state.optimizer_g.zero_grad()
    accel.backward(g_loss)
    accel.step(state.optimizer_g)
    state.scheduler_g.step()
    accel.update()
