"""Neural audio codec GAN training (generator + multi-scale discriminator), argbind-configured."""

import argbind
import torch
from audiotools import AudioSignal, ml

import dac

# Optimizers: the YAML config fills in the keyword arguments by scope
AdamW = argbind.bind(torch.optim.AdamW, "generator", "discriminator")
Accelerator = argbind.bind(ml.Accelerator, without_prefix=True)


@argbind.bind("generator", "discriminator")
def ExponentialLR(optimizer, gamma: float = 1.0):
    return torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma)


DAC = argbind.bind(dac.model.DAC)
Discriminator = argbind.bind(dac.model.Discriminator)


class State:
    pass


def load(args, accel):
    state = State()
    state.generator = accel.prepare_model(DAC())
    state.discriminator = accel.prepare_model(Discriminator())
    with argbind.scope(args, "generator"):
        state.optimizer_g = AdamW(state.generator.parameters())
        state.scheduler_g = ExponentialLR(state.optimizer_g)
    with argbind.scope(args, "discriminator"):
        state.optimizer_d = AdamW(state.discriminator.parameters())
        state.scheduler_d = ExponentialLR(state.optimizer_d)
    state.losses = dac.nn.loss.build_all(state.discriminator)
    return state


def train_loop(state, signal, accel, lambdas):
    state.generator.train()
    state.discriminator.train()
    output = {}

    with accel.autocast():
        out = state.generator(signal.audio_data, signal.sample_rate)
        recons = AudioSignal(out["audio"], signal.sample_rate)
    with accel.autocast():
        output["adv/disc_loss"] = state.losses.gan.discriminator_loss(recons, signal)

    state.optimizer_d.zero_grad()
    accel.backward(output["adv/disc_loss"])
    accel.scaler.unscale_(state.optimizer_d)
    output["other/grad_norm_d"] = torch.nn.utils.clip_grad_norm_(state.discriminator.parameters(), 10.0)
    accel.step(state.optimizer_d)
    state.scheduler_d.step()

    with accel.autocast():
        output["mel/loss"] = state.losses.mel(recons, signal)
        output["adv/gen_loss"], output["adv/feat_loss"] = state.losses.gan.generator_loss(recons, signal)
        output["vq/commitment_loss"] = out["vq/commitment_loss"]
        output["vq/codebook_loss"] = out["vq/codebook_loss"]
        output["loss"] = sum([v * output[k] for k, v in lambdas.items() if k in output])

    state.optimizer_g.zero_grad()
    accel.backward(output["loss"])
    accel.scaler.unscale_(state.optimizer_g)
    output["other/grad_norm"] = torch.nn.utils.clip_grad_norm_(state.generator.parameters(), 1e3)
    accel.step(state.optimizer_g)
    state.scheduler_g.step()
    accel.update()
    return output


@argbind.bind(without_prefix=True)
def train(args, accel, num_iters: int = 250000, lambdas: dict = None):
    state = load(args, accel)
    for step, signal in enumerate(accel.infinite_loader()):
        train_loop(state, signal, accel, lambdas)
        if step == num_iters - 1:
            break


if __name__ == "__main__":
    args = argbind.parse_args()
    with argbind.scope(args):
        with Accelerator() as accel:
            train(args, accel)
