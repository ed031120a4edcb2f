# A method run once per micro-batch that divides the loss by the window length before its
# backward; the caller's loop only hands it the batches.
class Model:
    def train_one_step(self, data):
        _, loss = self.model_fn(data)
        loss = loss / self.accumulation_steps
        loss.backward()
        if (self.batch_index + 1) % self.accumulation_steps == 0:
            self.optimizer.step()
            self.optimizer.zero_grad()
        return loss

    def train_one_epoch(self, loader):
        for b_idx, data in enumerate(loader):
            self.batch_index = b_idx
            self.train_one_step(data)
