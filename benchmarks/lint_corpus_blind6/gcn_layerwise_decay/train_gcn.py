import torch
import torch.nn.functional as F

from data_util import load_data
from self_gcn import GCN

feature_mat, adj_mat, y_train, train_mask, num_features, num_classes = load_data()
device = torch.device("cuda")
model = GCN(input_dim=num_features, hidden_dim=16, output_dim=num_classes).to(device)
optimizer = torch.optim.Adam([
    dict(params=model.conv1.parameters(), weight_decay=5e-4),
    dict(params=model.conv2.parameters(), weight_decay=0),
], lr=0.01)

for epoch in range(200):
    model.train()
    optimizer.zero_grad()
    logits, prob = model(feature_mat, adj_mat)
    loss = F.nll_loss(prob[train_mask], y_train)
    loss.backward()
    optimizer.step()
