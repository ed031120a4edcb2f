import apex
from torch.nn.utils import clip_grad_norm_

from .optim import get_optimizer


class Trainer:
    MODEL_NAMES = ("model",)

    def __init__(self, data, params):
        self.data = data
        self.params = params
        self.n_iter = 0
        self.n_total_iter = 0
        self.stats = {}
        self.set_parameters()
        self.set_optimizers()
        if params.amp >= 0:
            self.init_amp()

    def set_parameters(self):
        self.parameters = {"model": [p for p in self.model.parameters() if p.requires_grad]}

    def set_optimizers(self):
        self.optimizers = {"model": get_optimizer(self.parameters["model"], self.params.optimizer)}

    def init_amp(self):
        models, optimizers = apex.amp.initialize(
            [self.model], [self.optimizers["model"]], opt_level="O%i" % self.params.amp
        )
        self.model = models[0]
        self.optimizers = {"model": optimizers[0]}

    def optimize(self, loss):
        params = self.params
        names = self.optimizers.keys()
        optimizers = [self.optimizers[k] for k in names]

        # regular optimization
        if params.amp == -1:
            for optimizer in optimizers:
                optimizer.zero_grad()
            loss.backward()
            if params.clip_grad_norm > 0:
                for name in names:
                    clip_grad_norm_(self.parameters[name], params.clip_grad_norm)
            for optimizer in optimizers:
                optimizer.step()

        # AMP optimization
        else:
            if self.n_iter % params.accumulate_gradients == 0:
                with apex.amp.scale_loss(loss, optimizers) as scaled_loss:
                    scaled_loss.backward()
                if params.clip_grad_norm > 0:
                    for name in names:
                        clip_grad_norm_(apex.amp.master_params(self.optimizers[name]), params.clip_grad_norm)
                for optimizer in optimizers:
                    optimizer.step()
                    optimizer.zero_grad()
            else:
                with apex.amp.scale_loss(loss, optimizers, delay_unscale=True) as scaled_loss:
                    scaled_loss.backward()

    def iter(self):
        self.n_iter += 1
        self.n_total_iter += 1

    def mlm_step(self, lang1, lang2, lambda_coeff):
        if lambda_coeff == 0:
            return
        self.model.train()
        x, lengths, positions, langs = self.generate_batch(lang1, lang2, "pred")
        x, y, pred_mask = self.mask_out(x, lengths)
        tensor = self.model("fwd", x=x, lengths=lengths, positions=positions, langs=langs, causal=False)
        _, loss = self.model("predict", tensor=tensor, pred_mask=pred_mask, y=y, get_scores=False)
        self.stats.setdefault("MLM", []).append(loss.item())
        loss = lambda_coeff * loss
        self.optimize(loss)
