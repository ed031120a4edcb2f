import torch


class BaseModel(torch.nn.Module):
    def __init__(self, feature_num):
        super().__init__()
        self.x_bn = torch.nn.BatchNorm1d(feature_num)
        self.prediction = torch.nn.Linear(feature_num, 1)
        self.optimizer = None

    def l2(self):
        l2 = 0
        for p in self.parameters():
            l2 += (p ** 2).sum()
        return l2

    def forward(self, feed_dict):
        prediction = self.prediction(self.x_bn(feed_dict["X"].float())).view([-1])
        return {"prediction": prediction, "loss": torch.nn.MSELoss()(prediction, feed_dict["Y"])}
