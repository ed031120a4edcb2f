from torch import optim

from custom_loss import svd_loss
from svd_bias import Model


class TorchTrainPipeline:
    def _setup_model(self, args, num_users, num_items, mu):
        self.model = Model(num_users=num_users, num_items=num_items, num_factors=args.num_factors, mu=mu).to(args.device)
        self.optimizer = optim.SGD(self.model.parameters(), lr=args.lr)

    def _run_train_epoch(self, args):
        self.model.train()
        tr_loss = 0.0
        for user_id, item_id, y_train in self.train_dataloader:
            self.optimizer.zero_grad()
            y_pred = self.model(user_id, item_id)
            loss = svd_loss(y_pred, y_train.to(args.device), [param for param in self.model.parameters()], args.regularization)
            loss.backward()
            self.optimizer.step()
            tr_loss += loss.item()
        return tr_loss / len(self.train_dataloader)
