# The detector's loss is a sum over the images of the batch, returned with its parts, and
# multiplied by the world size under DDP: accumulating `accumulate` batches sums over the
# nominal batch by design (the YOLO trainers' shape). It is no per-micro-batch mean.
import torch


class DetectionTrainer:
    def __init__(self, model, world_size, accumulate):
        self.model = model
        self.world_size = world_size
        self.accumulate = accumulate
        self.optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.937)
        self.scaler = torch.cuda.amp.GradScaler()

    def train_epoch(self, loader):
        last_opt_step = -1
        for i, batch in enumerate(loader):
            with torch.autocast("cuda"):
                self.loss, self.loss_items = self.model(batch)
                if self.world_size > 1:
                    self.loss *= self.world_size
            self.scaler.scale(self.loss).backward()
            if i - last_opt_step >= self.accumulate:
                self.scaler.step(self.optimizer)
                self.scaler.update()
                self.optimizer.zero_grad()
                last_opt_step = i
