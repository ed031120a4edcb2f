# A trainer's `optimize(loss)` runs once per micro-batch. Under AMP it accumulates: the window test
# reads the setting through a local alias (`params = self.params`), and the fp32 branch (which
# steps on every call) is no part of the window. The caller weights its task loss by a
# coefficient: a loss weight, not a division by the window length, so the window sums k undivided
# losses.
import apex


class Trainer:
    def __init__(self, model, optimizer, params):
        self.model = model
        self.optimizer = optimizer
        self.params = params
        self.n_iter = 0

    def optimize(self, loss):
        params = self.params
        if params.amp == -1:
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
        else:
            if self.n_iter % params.accumulate_gradients == 0:
                with apex.amp.scale_loss(loss, self.optimizer) as scaled_loss:
                    scaled_loss.backward()
                self.optimizer.step()
                self.optimizer.zero_grad()
            else:
                with apex.amp.scale_loss(loss, self.optimizer, delay_unscale=True) as scaled_loss:
                    scaled_loss.backward()

    def mlm_step(self, x, y, lambda_coeff):
        self.model.train()
        _, loss = self.model(x, y)
        loss = lambda_coeff * loss
        self.optimize(loss)
        self.n_iter += 1
