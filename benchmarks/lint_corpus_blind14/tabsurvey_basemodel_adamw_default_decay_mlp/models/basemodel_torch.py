import torch
import torch.nn as nn
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset


class BaseModelTorch:
    def __init__(self, params, args):
        self.params = params
        self.args = args
        self.device = torch.device("cuda" if args.use_gpu and torch.cuda.is_available() else "cpu")

    def fit(self, X, y, X_val=None, y_val=None):
        optimizer = optim.AdamW(self.model.parameters(), lr=self.params["learning_rate"])
        X = torch.tensor(X).float()
        y = torch.tensor(y)
        if self.args.objective == "regression":
            loss_func = nn.MSELoss()
            y = y.float()
        elif self.args.objective == "classification":
            loss_func = nn.CrossEntropyLoss()
        else:
            loss_func = nn.BCEWithLogitsLoss()
            y = y.float()
        loader = DataLoader(TensorDataset(X, y), batch_size=self.args.batch_size, shuffle=True)
        history = []
        for epoch in range(self.args.epochs):
            for batch_X, batch_y in loader:
                out = self.model(batch_X.to(self.device))
                if self.args.objective in ("regression", "binary"):
                    out = out.squeeze()
                loss = loss_func(out, batch_y.to(self.device))
                history.append(loss.item())
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        return history
