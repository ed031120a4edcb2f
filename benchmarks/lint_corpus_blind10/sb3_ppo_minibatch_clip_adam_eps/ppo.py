import numpy as np
import torch as th
import torch.nn.functional as F


class PPOLearner:
    def __init__(self, policy, rollout_buffer, n_epochs=10, batch_size=64, clip_range=0.2,
                 ent_coef=0.0, vf_coef=0.5, max_grad_norm=0.5, target_kl=None):
        self.policy = policy
        self.rollout_buffer = rollout_buffer
        self.n_epochs, self.batch_size = n_epochs, batch_size
        self.clip_range = clip_range
        self.ent_coef, self.vf_coef = ent_coef, vf_coef
        self.max_grad_norm = max_grad_norm
        self.target_kl = target_kl

    def train(self):
        for epoch in range(self.n_epochs):
            kls = []
            for data in self.rollout_buffer.get(self.batch_size):
                values, log_prob, entropy = self.policy.evaluate_actions(data.observations, data.actions)
                adv = (data.advantages - data.advantages.mean()) / (data.advantages.std() + 1e-8)
                ratio = th.exp(log_prob - data.old_log_prob)
                policy_loss = -th.min(adv * ratio, adv * th.clamp(ratio, 1 - self.clip_range, 1 + self.clip_range)).mean()
                value_loss = F.mse_loss(data.returns, values.flatten())
                entropy_loss = -th.mean(entropy)
                loss = policy_loss + self.ent_coef * entropy_loss + self.vf_coef * value_loss

                self.policy.optimizer.zero_grad()
                loss.backward()
                th.nn.utils.clip_grad_norm_(self.policy.parameters(), self.max_grad_norm)
                self.policy.optimizer.step()
                kls.append(th.mean(data.old_log_prob - log_prob).detach().cpu().numpy())
            if self.target_kl is not None and np.mean(kls) > 1.5 * self.target_kl:
                break
