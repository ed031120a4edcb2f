class BaseTask:
    def train_step(self, model, samples):
        loss = model(samples)["loss"]
        return loss

    def train_epoch(self, epoch, model, data_loader, optimizer, lr_scheduler, cuda_enabled=True):
        for i, samples in enumerate(data_loader):
            samples = prepare_sample(samples, cuda_enabled=cuda_enabled)
            samples.update({"epoch": epoch, "num_iters_per_epoch": len(data_loader), "iters": i})
            lr_scheduler.step(cur_epoch=epoch, cur_step=i)
            optimizer.zero_grad()
            loss = self.train_step(model=model, samples=samples)
            loss.backward()
            optimizer.step()


def prepare_sample(samples, cuda_enabled=True):
    return samples
