"""Paraphrase of mftcoder_accelerate/src/pefts/mft_trainer.py: MftTrainer.accelerate_train."""
from utils.loss_utils import loss_func_mft


class MftTrainer:
    def __init__(self, accelerator, model, train_dataloader, optimizer, lr_scheduler, args):
        self.accelerator = accelerator
        self.model = model
        self.train_dataloader = train_dataloader
        self.optimizer = optimizer
        self.lr_scheduler = lr_scheduler
        self.args = args

    def accelerate_train(self):
        completed_steps = 0
        for epoch in range(self.args.num_train_epochs):
            tail_num = len(self.train_dataloader) - len(self.train_dataloader) % self.args.gradient_accumulation_steps
            self.model.train()
            for step, batch in enumerate(self.train_dataloader):
                if step == tail_num:
                    break
                with self.accelerator.accumulate(self.model):
                    outputs = self.model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                                         return_dict=True)
                    loss, task_loss, _ = loss_func_mft(outputs=outputs, labels=batch["labels"],
                                                       task_mask=batch["task_mask"], task_id=batch["task_id"],
                                                       loss_mask=batch["loss_mask"])
                    self.accelerator.backward(loss)
                    self.optimizer.step()
                    self.lr_scheduler.step()
                    self.optimizer.zero_grad()
                    if self.optimizer.param_groups[0]["lr"] <= self.args.min_lr:
                        self.optimizer.param_groups[0]["lr"] = self.args.min_lr
                    if self.accelerator.sync_gradients:
                        completed_steps += 1
                        if completed_steps >= self.args.max_train_steps:
                            break
