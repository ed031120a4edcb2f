gamma = 0.99
weight_decay = 1e-2
actor_lr = 3e-4
critic_lr = 3e-4
tau = 0.005
