import torch
import torch.optim as optim

from agents.sac import GaussianPolicy, QNetwork, TargetCritic, loss_sac
from agents.utils import ExperienceReplayBuffer


def train(hp, device, exp_queue):
    pi = GaussianPolicy(hp.N_OBS, hp.N_ACTS, hp.LOG_SIG_MIN, hp.LOG_SIG_MAX, hp.EPSILON).to(device)
    Q = QNetwork(hp.N_OBS, hp.N_ACTS).to(device)
    alpha = hp.ALPHA
    target_entropy = -torch.prod(torch.Tensor(hp.N_ACTS).to(device)).item()
    log_alpha = torch.zeros(1, requires_grad=True, device=device)
    tgt_Q = TargetCritic(Q)
    pi_opt = optim.Adam(pi.parameters(), lr=hp.LEARNING_RATE)
    Q_opt = optim.Adam(Q.parameters(), lr=hp.LEARNING_RATE)
    alpha_optim = optim.Adam([log_alpha], lr=hp.LEARNING_RATE)
    buffer = ExperienceReplayBuffer(buffer_size=hp.REPLAY_SIZE)
    while True:
        new_samples = 0
        while new_samples < hp.EXP_GRAD_RATIO:
            buffer.add(exp_queue.get())
            new_samples += 1
        if len(buffer) < hp.REPLAY_INITIAL:
            continue
        batch = buffer.sample(hp.BATCH_SIZE)
        pi_loss, Q_loss1, Q_loss2, log_pi = loss_sac(alpha, hp.GAMMA, batch, Q, pi, tgt_Q, device)
        alpha_loss = -(log_alpha * (log_pi + target_entropy).detach()).mean()
        alpha_optim.zero_grad()
        alpha_loss.backward()
        alpha_optim.step()
        alpha = log_alpha.exp()
        pi_opt.zero_grad()
        pi_loss.backward()
        pi_opt.step()
        Q_loss = Q_loss1 + Q_loss2
        Q_opt.zero_grad()
        Q_loss.backward()
        Q_opt.step()
        tgt_Q.sync(alpha=1 - 1e-3)
