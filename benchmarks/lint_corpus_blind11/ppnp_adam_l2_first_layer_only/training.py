import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

from earlystopping import EarlyStopping
from utils import matrix_to_torch


def train_model(model_class, graph, model_args, learning_rate, reg_lambda, idx_all, stopping_args, device="cuda"):
    labels_all = torch.LongTensor(graph.labels)
    model = model_class(graph.attr_matrix.shape[1], int(labels_all.max()) + 1, **model_args).to(device)
    reg_lambda = torch.tensor(reg_lambda, device=device)
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)

    loaders = {phase: DataLoader(TensorDataset(ind, labels_all[ind]), batch_size=ind.numel(), shuffle=True) for phase, ind in idx_all.items()}
    early_stopping = EarlyStopping(model, **stopping_args)
    attr_matrix = matrix_to_torch(graph.attr_matrix).to(device)

    for epoch in range(early_stopping.max_epochs):
        stats = {}
        for phase in ("train", "stopping"):
            model.train(phase == "train")
            running = 0.0
            for idx, labels in loaders[phase]:
                idx, labels = idx.to(device), labels.to(device)
                optimizer.zero_grad()
                with torch.set_grad_enabled(phase == "train"):
                    log_preds = model(attr_matrix, idx)
                    cross_entropy_mean = F.nll_loss(log_preds, labels)
                    l2_reg = sum(torch.sum(param**2) for param in model.reg_params)
                    loss = cross_entropy_mean + reg_lambda / 2 * l2_reg
                    if phase == "train":
                        loss.backward()
                        optimizer.step()
                running += loss.item() * idx.size(0)
            stats[phase] = running
        if early_stopping.check([stats["stopping"]], epoch):
            break
    model.load_state_dict(early_stopping.best_state)
    return model
