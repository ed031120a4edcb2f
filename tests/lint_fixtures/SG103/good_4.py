# An auxiliary loss stored in the output dict is not a penalty over the parameters.
import torch

LOSS = "loss"
AUX = "aux_loss"


class Router(torch.nn.Module):
    def balance(self, probs):
        return (probs.mean(0) ** 2).sum()

    def forward(self, x):
        probs = x.softmax(-1)
        out = {LOSS: probs.max(-1).values.mean()}
        out[AUX] = self.balance(probs)
        return out


def fit(batches):
    model = Router()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, weight_decay=1e-5)
    for batch in batches:
        optimizer.zero_grad()
        out = model(batch)
        loss = out[LOSS] + 0.01 * out[AUX]
        loss.backward()
        optimizer.step()
