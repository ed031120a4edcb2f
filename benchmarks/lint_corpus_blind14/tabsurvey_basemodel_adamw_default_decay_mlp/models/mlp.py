import torch.nn as nn
import torch.nn.functional as F

from models.basemodel_torch import BaseModelTorch


class MLP(BaseModelTorch):
    def __init__(self, params, args):
        super().__init__(params, args)
        self.model = MLP_Model(params["n_layers"], args.num_features, params["hidden_dim"], args.num_classes,
                               args.objective)
        self.model.to(self.device)


class MLP_Model(nn.Module):
    def __init__(self, n_layers, input_dim, hidden_dim, output_dim, task):
        super().__init__()
        self.task = task
        self.input_layer = nn.Linear(input_dim, hidden_dim)
        self.layers = nn.ModuleList([nn.Linear(hidden_dim, hidden_dim) for _ in range(n_layers - 1)])
        self.output_layer = nn.Linear(hidden_dim, output_dim)

    def forward(self, x):
        x = F.relu(self.input_layer(x))
        for layer in self.layers:
            x = F.relu(layer(x))
        x = self.output_layer(x)
        if self.task == "classification":
            x = F.softmax(x, dim=1)
        return x
