import torch
from torch.utils.data import DataLoader

from chem_gcn.graphs import GraphData, collate_graph_dataset
from chem_gcn.model import ChemGCN
from chem_gcn.utils import Standardizer, train_model

batch_size = 32
hidden_nodes = 60
learning_rate = 0.01
n_epochs = 50

dataset = GraphData(dataset_path="data/solubility_data.csv", max_atoms=200, node_vec_len=60)
train_loader = DataLoader(dataset, batch_size=batch_size, collate_fn=collate_graph_dataset)
model = ChemGCN(node_vec_len=60, node_fea_len=hidden_nodes, hidden_fea_len=hidden_nodes, n_conv=4, n_hidden=2, n_outputs=1, p_dropout=0.1)
standardizer = Standardizer(torch.Tensor([dataset[i][1] for i in range(len(dataset))]))
optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
criterion = torch.nn.MSELoss()
for i in range(n_epochs):
    train_model(i, model, train_loader, optimizer, criterion, standardizer)
