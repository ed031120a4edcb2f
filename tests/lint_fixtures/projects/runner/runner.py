# The training loop, in a runner class.
import torch


class Runner:
    def __init__(self, model, optimizer, args):
        self.model = model
        self.optimizer = optimizer
        self.args = args
        self.scaler = torch.cuda.amp.GradScaler(enabled=args.amp)

    def fit(self, loader):
        for epoch in range(self.args.epochs):
            for step, (x, y) in enumerate(loader):
                with torch.autocast("cuda", enabled=self.args.amp):
                    loss = torch.nn.functional.cross_entropy(self.model(x), y)
                self.scaler.scale(loss).backward()
                if (step + 1) % self.args.gradient_accumulation_steps == 0:
                    self.scaler.unscale_(self.optimizer)
                    torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
                    self.scaler.step(self.optimizer)
                    self.scaler.update()
                    self.optimizer.zero_grad()
