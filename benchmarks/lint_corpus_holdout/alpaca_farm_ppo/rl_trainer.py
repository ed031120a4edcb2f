import tqdm
from accelerate.optimizer import AcceleratedOptimizer
from torch.utils.data import DataLoader, TensorDataset

import trainer_utils


class RLTrainer:
    def __init__(self, args, train_dataset, policy, accelerator, optimizer=None, lr_scheduler=None):
        self.args = args
        self.train_dataset = train_dataset
        self.policy = policy
        self.accelerator = accelerator
        self.optimizer = optimizer
        self.lr_scheduler = lr_scheduler

    def rollout(self, queries_batches):
        raise NotImplementedError

    def compute_loss(self, rollouts_batch):
        raise NotImplementedError

    def get_rollouts_dataloader(self, rollouts):
        dataset = TensorDataset(*rollouts.values())
        return DataLoader(dataset, batch_size=self.args.step_per_device_batch_size, shuffle=True, drop_last=True)

    def step_with_rollouts(self, rollouts):
        """Run PPO for several epochs on a fixed set of rollouts."""
        assert isinstance(self.optimizer, AcceleratedOptimizer), "prepare the optimizer with accelerate"
        stats_list = []
        for epoch_idx in range(self.args.noptepochs):
            for batch_idx, rollouts_batch in tqdm.tqdm(enumerate(self.get_rollouts_dataloader(rollouts), 1)):
                with self.accelerator.accumulate(self.policy):
                    ppo_loss, stats = self.compute_loss(rollouts_batch)
                    self.accelerator.backward(ppo_loss)
                    if self.accelerator.sync_gradients:
                        if self.args.max_grad_norm is not None:
                            self.accelerator.clip_grad_norm_(self.policy.parameters(), self.args.max_grad_norm)
                        stats_list.append(stats)
                    self.optimizer.step()
                    self.policy.zero_grad(set_to_none=True)
        return stats_list

    def step(self, train_dataloader, step_idx):
        queries_batches = [next(train_dataloader) for _ in range(self.args.rollout_accumulation_steps)]
        rollouts = self.rollout(queries_batches)
        train_stats = self.step_with_rollouts(rollouts)
        if self.lr_scheduler is not None:
            self.lr_scheduler.step()
        return train_stats

    def create_optimizer_and_scheduler(self, num_training_steps):
        optimizer = trainer_utils.create_optimizer(args=self.args, model=self.policy, optimizer=self.optimizer)
        lr_scheduler = trainer_utils.create_scheduler(
            args=self.args, optimizer=optimizer, lr_scheduler=self.lr_scheduler, num_training_steps=num_training_steps
        )
        self.optimizer, self.lr_scheduler = self.accelerator.prepare(optimizer, lr_scheduler)

    def train(self):
        total_episodes = len(self.train_dataset) * self.args.total_epochs
        total_steps = total_episodes // self.args.rollout_batch_size
        self.create_optimizer_and_scheduler(total_steps)
        loader = self.get_train_dataloader()
        for step_idx in range(1, total_steps + 1):
            self.step(loader, step_idx)

    def get_train_dataloader(self):
        raise NotImplementedError


class PPOTrainer(RLTrainer):
    def compute_loss(self, rollouts_batch):
        raise NotImplementedError
