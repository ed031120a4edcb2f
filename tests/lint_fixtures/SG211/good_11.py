# A GAN loop steps the optimizer through a training wrapper that owns the GradScaler and steps
# the scheduler only when the scale did not drop (the wrapper did not skip the update).
import torch


def train_loop(state, batch, accel):
    with accel.autocast():
        fake = state.generator(batch)
        d_loss = state.losses.discriminator(fake.detach(), batch)
    state.optimizer_d.zero_grad()
    accel.backward(d_loss)
    accel.scaler.unscale_(state.optimizer_d)
    torch.nn.utils.clip_grad_norm_(state.discriminator.parameters(), 10.0)
    scale = accel.scaler.get_scale()
    accel.step(state.optimizer_d)
    accel.update()
    if accel.scaler.get_scale() >= scale:
        state.scheduler_d.step()
