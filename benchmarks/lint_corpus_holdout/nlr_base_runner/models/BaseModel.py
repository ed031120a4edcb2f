import torch
import torch.nn.functional as F

LOSS = "loss"
LOSS_L2 = "loss_l2"
PREDICTION = "prediction"
EMBEDDING_L2 = "embedding_l2"


class BaseModel(torch.nn.Module):
    def __init__(self, feature_num, loss_sum, l2_bias):
        super().__init__()
        self.feature_num = feature_num
        self.loss_sum = loss_sum
        self.l2_bias = l2_bias
        self.x_bn = torch.nn.BatchNorm1d(self.feature_num)
        self.prediction = torch.nn.Linear(self.feature_num, 1)
        self.l2_embeddings = []
        self.optimizer = None  # built by the runner

    def l2(self, out_dict):
        """Sum of squares of the parameters (embeddings only for the rows the batch used)."""
        total = torch.zeros(())
        for name, p in self.named_parameters():
            if not p.requires_grad:
                continue
            if self.l2_bias == 0 and "bias" in name:
                continue
            if name.split(".")[0] in self.l2_embeddings:
                continue
            total = total + (p ** 2).sum()
        for p in out_dict[EMBEDDING_L2]:
            total = total + (p ** 2).sum()
        return total

    def predict(self, feed_dict):
        x = self.x_bn(feed_dict["x"].float())
        return {PREDICTION: F.relu(self.prediction(x)).view([-1]), EMBEDDING_L2: []}

    def forward(self, feed_dict):
        out_dict = self.predict(feed_dict)
        reduction = "sum" if self.loss_sum == 1 else "mean"
        out_dict[LOSS] = torch.nn.MSELoss(reduction=reduction)(out_dict[PREDICTION], feed_dict["y"])
        out_dict[LOSS_L2] = self.l2(out_dict)
        return out_dict
