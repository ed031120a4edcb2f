# The micro-batch loop lives in a helper; its caller steps right after it. Each micro-batch's
# importance-weighted mean loss is backpropagated undivided (the weights come from a sampler, not
# from the number of micro-batches).
class TrainLoop:
    def __init__(self, model, diffusion, sampler, opt, microbatch):
        self.model = model
        self.diffusion = diffusion
        self.sampler = sampler
        self.opt = opt
        self.microbatch = microbatch

    def run_step(self, batch):
        self.forward_backward(batch)
        self.opt.step()

    def forward_backward(self, batch):
        self.opt.zero_grad()
        for i in range(0, batch.shape[0], self.microbatch):
            micro = batch[i : i + self.microbatch]
            t, weights = self.sampler.sample(micro.shape[0])
            losses = self.diffusion.training_losses(self.model, micro, t)
            loss = (losses["loss"] * weights).mean()
            loss.backward()
