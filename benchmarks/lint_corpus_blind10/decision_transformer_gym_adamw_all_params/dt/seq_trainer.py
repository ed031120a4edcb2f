import torch


class SeqTrainer:
    def __init__(self, model, optimizer, batch_size, get_batch, loss_fn, scheduler=None, eval_fns=None):
        self.model = model
        self.optimizer = optimizer
        self.batch_size = batch_size
        self.get_batch = get_batch
        self.loss_fn = loss_fn
        self.scheduler = scheduler
        self.eval_fns = eval_fns or []

    def train_iteration(self, num_steps):
        self.model.train()
        losses = []
        for _ in range(num_steps):
            losses.append(self.train_step())
            if self.scheduler is not None:
                self.scheduler.step()
        self.model.eval()
        return {fn.__name__: fn(self.model) for fn in self.eval_fns}, losses

    def train_step(self):
        states, actions, rewards, dones, rtg, timesteps, attention_mask = self.get_batch(self.batch_size)
        target = torch.clone(actions)
        _, action_preds, _ = self.model(states, actions, rewards, rtg[:, :-1], timesteps, attention_mask=attention_mask)
        keep = attention_mask.reshape(-1) > 0
        action_preds = action_preds.reshape(-1, action_preds.shape[2])[keep]
        target = target.reshape(-1, target.shape[2])[keep]
        loss = self.loss_fn(action_preds, target)

        self.optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), .25)
        self.optimizer.step()
        return loss.detach().cpu().item()
