import torch
import torch.nn.functional as F

from brain_gnn import BrainGAT, BrainGCN, ConvTypes
from brain_gnn_evaluate import get_cv_subject_split, set_training_masks

hyperparameter_defaults = dict(model="gcn", epochs=5000, learning_rate=5e-4, dropout=0, weight_decay=0, n_conv_layers=1)


def train(conv_type, graph, device, n_conv_layers=0, layer_sizes=None, epochs=3500, lr=0.005, dropout_p=0, weight_decay=1e-5):
    data = graph.to(device)
    if ConvTypes(conv_type) == ConvTypes.GCN:
        model = BrainGCN(graph.num_node_features, n_conv_layers, layer_sizes, dropout_p).to(device)
    else:
        model = BrainGAT(graph.num_node_features, n_conv_layers, layer_sizes, dropout_p).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    model.train()
    for epoch in range(epochs):
        optimizer.zero_grad()
        out = model(data)
        loss = F.mse_loss(out[data.train_mask], data.y[data.train_mask])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 10)
        optimizer.step()
    return model


def train_with_cross_validation(conv_type, graph, device, n_folds=10, n_conv_layers=0, layer_sizes=None, epochs=350, lr=0.005, dropout_p=0, weight_decay=1e-5):
    results = []
    for fold in get_cv_subject_split(graph, n_folds=n_folds):
        set_training_masks(graph, *fold)
        results.append(train(conv_type, graph, device, n_conv_layers=n_conv_layers, layer_sizes=layer_sizes, epochs=epochs, lr=lr, dropout_p=dropout_p, weight_decay=weight_decay))
    return results
