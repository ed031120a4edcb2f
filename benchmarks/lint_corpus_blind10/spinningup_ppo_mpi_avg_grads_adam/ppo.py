import numpy as np
import torch
from torch.optim import Adam

from spinup.utils.mpi_pytorch import mpi_avg_grads, setup_pytorch_for_mpi, sync_params
from spinup.utils.mpi_tools import mpi_avg, num_procs


def ppo(env_fn, actor_critic, ac_kwargs=dict(), seed=0, steps_per_epoch=4000, epochs=50,
        gamma=0.99, clip_ratio=0.2, pi_lr=3e-4, vf_lr=1e-3, train_pi_iters=80,
        train_v_iters=80, lam=0.97, target_kl=0.01, make_buffer=None):
    setup_pytorch_for_mpi()
    torch.manual_seed(seed)
    np.random.seed(seed)

    env = env_fn()
    ac = actor_critic(env.observation_space, env.action_space, **ac_kwargs)
    sync_params(ac)
    buf = make_buffer(int(steps_per_epoch / num_procs()), gamma, lam)

    def policy_loss(data):
        obs, act, adv, logp_old = data["obs"], data["act"], data["adv"], data["logp"]
        pi, logp = ac.pi(obs, act)
        ratio = torch.exp(logp - logp_old)
        clipped = torch.clamp(ratio, 1 - clip_ratio, 1 + clip_ratio) * adv
        return -(torch.min(ratio * adv, clipped)).mean(), (logp_old - logp).mean().item()

    def value_loss(data):
        return ((ac.v(data["obs"]) - data["ret"]) ** 2).mean()

    pi_optimizer = Adam(ac.pi.parameters(), lr=pi_lr)
    vf_optimizer = Adam(ac.v.parameters(), lr=vf_lr)

    def update():
        data = buf.get()
        for i in range(train_pi_iters):
            pi_optimizer.zero_grad()
            loss_pi, kl = policy_loss(data)
            if mpi_avg(kl) > 1.5 * target_kl:
                break
            loss_pi.backward()
            mpi_avg_grads(ac.pi)
            pi_optimizer.step()

        for i in range(train_v_iters):
            vf_optimizer.zero_grad()
            loss_v = value_loss(data)
            loss_v.backward()
            mpi_avg_grads(ac.v)
            vf_optimizer.step()

    o = env.reset()
    for epoch in range(epochs):
        for t in range(int(steps_per_epoch / num_procs())):
            a, v, logp = ac.step(torch.as_tensor(o, dtype=torch.float32))
            next_o, r, d, _ = env.step(a)
            buf.store(o, a, r, v, logp)
            o = env.reset() if d else next_o
        update()
