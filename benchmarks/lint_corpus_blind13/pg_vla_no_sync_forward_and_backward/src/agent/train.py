import torch


class TrainAgent:
    def run(self):
        cnt_batch = 0
        cnt_update = 0
        self.model.train()
        while True:
            for batch in self.train_dataloader:
                inputs = self.preprocess_batch(batch)
                if (cnt_batch + 1) % self.grad_accumulation_steps != 0:
                    with self.model.no_sync():
                        with torch.autocast("cuda", dtype=torch.bfloat16, enabled=True):
                            loss_train = self.model(**inputs)
                        normalized_loss = loss_train / self.grad_accumulation_steps
                        normalized_loss.backward()
                else:
                    with torch.autocast("cuda", dtype=torch.bfloat16, enabled=True):
                        loss_train = self.model(**inputs)
                    normalized_loss = loss_train / self.grad_accumulation_steps
                    normalized_loss.backward()

                    torch.nn.utils.clip_grad_norm_(
                        self.trained_parameters,
                        max_norm=self.max_grad_norm,
                    )
                    self.action_optimizer.step()
                    self.action_lr_scheduler.step()
                    if self.train_vlm:
                        self.vlm_optimizer.step()
                        self.vlm_lr_scheduler.step()
                    self.action_optimizer.zero_grad(set_to_none=True)
                    if self.train_vlm:
                        self.vlm_optimizer.zero_grad(set_to_none=True)
                    cnt_update += 1
                cnt_batch += 1
                if cnt_update >= self.n_updates:
                    return
