import numpy as np
import torch
import torch.nn.functional as F

import utils
from decoder import make_decoder
from encoder import Actor, Critic


class SacAeAgent:
    """SAC with an autoencoder on pixels: the critic's encoder is also trained by a reconstruction loss."""

    def __init__(
        self,
        obs_shape,
        action_shape,
        device,
        hidden_dim=256,
        discount=0.99,
        init_temperature=0.01,
        alpha_lr=1e-3,
        alpha_beta=0.9,
        actor_lr=1e-3,
        actor_beta=0.9,
        critic_lr=1e-3,
        critic_beta=0.9,
        encoder_feature_dim=50,
        encoder_lr=1e-3,
        decoder_type="pixel",
        decoder_lr=1e-3,
        decoder_update_freq=1,
        decoder_latent_lambda=0.0,
        decoder_weight_lambda=0.0,
        num_layers=4,
        num_filters=32,
    ):
        self.device = device
        self.discount = discount
        self.decoder_update_freq = decoder_update_freq
        self.decoder_latent_lambda = decoder_latent_lambda

        self.actor = Actor(obs_shape, action_shape, hidden_dim, encoder_feature_dim, num_layers, num_filters).to(device)
        self.critic = Critic(obs_shape, action_shape, hidden_dim, encoder_feature_dim, num_layers, num_filters).to(device)
        self.actor.encoder.copy_conv_weights_from(self.critic.encoder)

        self.log_alpha = torch.tensor(np.log(init_temperature)).to(device)
        self.log_alpha.requires_grad = True
        self.target_entropy = -np.prod(action_shape)

        self.decoder = None
        if decoder_type != "identity":
            self.decoder = make_decoder(decoder_type, obs_shape, encoder_feature_dim, num_layers, num_filters).to(device)
            self.encoder_optimizer = torch.optim.Adam(self.critic.encoder.parameters(), lr=encoder_lr)
            self.decoder_optimizer = torch.optim.Adam(
                self.decoder.parameters(), lr=decoder_lr, weight_decay=decoder_weight_lambda
            )

        self.actor_optimizer = torch.optim.Adam(self.actor.parameters(), lr=actor_lr, betas=(actor_beta, 0.999))
        self.critic_optimizer = torch.optim.Adam(self.critic.parameters(), lr=critic_lr, betas=(critic_beta, 0.999))
        self.log_alpha_optimizer = torch.optim.Adam([self.log_alpha], lr=alpha_lr, betas=(alpha_beta, 0.999))

    @property
    def alpha(self):
        return self.log_alpha.exp()

    def update_critic(self, obs, action, reward, next_obs, not_done):
        with torch.no_grad():
            _, policy_action, log_pi, _ = self.actor(next_obs)
            target_q1, target_q2 = self.critic_target(next_obs, policy_action)
            target_v = torch.min(target_q1, target_q2) - self.alpha.detach() * log_pi
            target_q = reward + not_done * self.discount * target_v
        current_q1, current_q2 = self.critic(obs, action)
        critic_loss = F.mse_loss(current_q1, target_q) + F.mse_loss(current_q2, target_q)
        self.critic_optimizer.zero_grad()
        critic_loss.backward()
        self.critic_optimizer.step()

    def update_decoder(self, obs, target_obs):
        h = self.critic.encoder(obs)
        if target_obs.dim() == 4:
            target_obs = utils.preprocess_obs(target_obs)
        rec_obs = self.decoder(h)
        rec_loss = F.mse_loss(target_obs, rec_obs)

        # L2 penalty on the latent code h (an activation), as in RAE
        latent_loss = (0.5 * h.pow(2).sum(1)).mean()

        loss = rec_loss + self.decoder_latent_lambda * latent_loss
        self.encoder_optimizer.zero_grad()
        self.decoder_optimizer.zero_grad()
        loss.backward()
        self.encoder_optimizer.step()
        self.decoder_optimizer.step()

    def update(self, replay_buffer, step):
        obs, action, reward, next_obs, not_done = replay_buffer.sample()
        self.update_critic(obs, action, reward, next_obs, not_done)
        if self.decoder is not None and step % self.decoder_update_freq == 0:
            self.update_decoder(obs, obs)
