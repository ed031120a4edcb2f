import torch.cuda.amp as amp

from catalyst.engines.torch import DeviceEngine, DistributedDataParallelEngine


class AMPEngine(DeviceEngine):
    def __init__(self, device: str = "cuda"):
        super().__init__(device)
        self.scaler = amp.GradScaler()

    def backward_loss(self, loss, model, optimizer) -> None:
        self.scaler.scale(loss).backward()

    def optimizer_step(self, loss, model, optimizer) -> None:
        self.scaler.step(optimizer)
        self.scaler.update()

    def autocast(self):
        return amp.autocast()


class DistributedDataParallelAMPEngine(DistributedDataParallelEngine):
    def __init__(self, ddp_kwargs=None):
        super().__init__(ddp_kwargs)
        self.scaler = amp.GradScaler()

    def backward_loss(self, loss, model, optimizer) -> None:
        self.scaler.scale(loss).backward()

    def optimizer_step(self, loss, model, optimizer) -> None:
        self.scaler.step(optimizer)
        self.scaler.update()
