from torch.optim import Adam, RMSprop


class Trainer:
    def __init__(self, model, lr=1e-3, weight_decay=0.01):
        self.model = model
        groups = [
            {"params": model.encoder.parameters(), "weight_decay": weight_decay},
            {"params": model.head.parameters(), "weight_decay": 0.0},
        ]
        self.optimizer = Adam(groups, lr=lr)
        self.critic_opt = RMSprop(model.critic.parameters(), lr, 0.99, 1e-8, 1e-4)
        self.actor_opt = Adam(model.actor.parameters(), lr=lr, weight_decay=weight_decay)
