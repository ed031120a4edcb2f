import torch

from model.pytorch.dcrnn_model import DCRNNModel

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


class DCRNNSupervisor:
    def __init__(self, adj_mx, data, standard_scaler, max_grad_norm=5.0, horizon=12, **model_kwargs):
        self._data = data
        self.standard_scaler = standard_scaler
        self.max_grad_norm = max_grad_norm
        self.horizon = horizon
        self.dcrnn_model = DCRNNModel(adj_mx, **model_kwargs).to(device)

    def train(self, **kwargs):
        return self._train(**kwargs)

    def _train(self, base_lr, steps, epochs=100, lr_decay_ratio=0.1):
        batches_seen = 0
        optimizer = torch.optim.Adam(self.dcrnn_model.parameters(), lr=base_lr)
        lr_scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=steps, gamma=lr_decay_ratio)
        criterion = torch.nn.L1Loss()
        self.dcrnn_model = self.dcrnn_model.train()
        for epoch_num in range(epochs):
            for _, (x, y) in enumerate(self._data["train_loader"].get_iterator()):
                optimizer.zero_grad()
                x, y = torch.from_numpy(x).float().to(device), torch.from_numpy(y).float().to(device)
                output = self.dcrnn_model(x, y, batches_seen)
                loss = self._compute_loss(y, output, criterion)
                batches_seen += 1
                loss.backward()
                torch.nn.utils.clip_grad_norm_(self.dcrnn_model.parameters(), self.max_grad_norm)
                optimizer.step()
            lr_scheduler.step()

    def _compute_loss(self, y_true, y_predicted, criterion):
        loss = 0
        for t in range(self.horizon):
            loss += criterion(self.standard_scaler.inverse_transform(y_predicted[t]), self.standard_scaler.inverse_transform(y_true[t]))
        return loss
