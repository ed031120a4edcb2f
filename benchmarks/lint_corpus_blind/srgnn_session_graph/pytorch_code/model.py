import datetime
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn import Module, Parameter


class GNN(Module):
    def __init__(self, hidden_size, step=1):
        super().__init__()
        self.step = step
        self.hidden_size = hidden_size
        self.w_ih = Parameter(torch.Tensor(3 * hidden_size, 2 * hidden_size))
        self.w_hh = Parameter(torch.Tensor(3 * hidden_size, hidden_size))
        self.b_ih = Parameter(torch.Tensor(3 * hidden_size))
        self.b_hh = Parameter(torch.Tensor(3 * hidden_size))
        self.b_iah = Parameter(torch.Tensor(hidden_size))
        self.b_oah = Parameter(torch.Tensor(hidden_size))
        self.linear_edge_in = nn.Linear(hidden_size, hidden_size, bias=True)
        self.linear_edge_out = nn.Linear(hidden_size, hidden_size, bias=True)

    def cell(self, A, hidden):
        n = A.shape[1]
        input_in = torch.matmul(A[:, :, :n], self.linear_edge_in(hidden)) + self.b_iah
        input_out = torch.matmul(A[:, :, n:2 * n], self.linear_edge_out(hidden)) + self.b_oah
        gi = F.linear(torch.cat([input_in, input_out], 2), self.w_ih, self.b_ih)
        gh = F.linear(hidden, self.w_hh, self.b_hh)
        i_r, i_i, i_n = gi.chunk(3, 2)
        h_r, h_i, h_n = gh.chunk(3, 2)
        resetgate = torch.sigmoid(i_r + h_r)
        inputgate = torch.sigmoid(i_i + h_i)
        newgate = torch.tanh(i_n + resetgate * h_n)
        return newgate + inputgate * (hidden - newgate)

    def forward(self, A, hidden):
        for _ in range(self.step):
            hidden = self.cell(A, hidden)
        return hidden


class SessionGraph(Module):
    """Session-based recommendation; the model owns its optimizer and scheduler."""

    def __init__(self, opt, n_node):
        super().__init__()
        self.hidden_size = opt.hiddenSize
        self.batch_size = opt.batchSize
        self.nonhybrid = opt.nonhybrid
        self.embedding = nn.Embedding(n_node, self.hidden_size)
        self.gnn = GNN(self.hidden_size, step=opt.step)
        self.linear_one = nn.Linear(self.hidden_size, self.hidden_size, bias=True)
        self.linear_two = nn.Linear(self.hidden_size, self.hidden_size, bias=True)
        self.linear_three = nn.Linear(self.hidden_size, 1, bias=False)
        self.linear_transform = nn.Linear(self.hidden_size * 2, self.hidden_size, bias=True)
        self.loss_function = nn.CrossEntropyLoss()
        self.optimizer = torch.optim.Adam(self.parameters(), lr=opt.lr, weight_decay=opt.l2)
        self.scheduler = torch.optim.lr_scheduler.StepLR(self.optimizer, step_size=opt.lr_dc_step, gamma=opt.lr_dc)
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            weight.data.uniform_(-stdv, stdv)

    def compute_scores(self, hidden, mask):
        ht = hidden[torch.arange(mask.shape[0]).long(), torch.sum(mask, 1) - 1]
        q1 = self.linear_one(ht).view(ht.shape[0], 1, ht.shape[1])
        q2 = self.linear_two(hidden)
        alpha = self.linear_three(torch.sigmoid(q1 + q2))
        a = torch.sum(alpha * hidden * mask.view(mask.shape[0], -1, 1).float(), 1)
        if not self.nonhybrid:
            a = self.linear_transform(torch.cat([a, ht], 1))
        b = self.embedding.weight[1:]
        return torch.matmul(a, b.transpose(1, 0))

    def forward(self, inputs, A):
        return self.gnn(A, self.embedding(inputs))


def forward(model, i, data):
    alias_inputs, A, items, mask, targets = data.get_slice(i)
    alias_inputs = torch.Tensor(alias_inputs).long()
    hidden = model(torch.Tensor(items).long(), torch.Tensor(A).float())
    seq_hidden = torch.stack([hidden[k][alias_inputs[k]] for k in torch.arange(len(alias_inputs)).long()])
    return targets, model.compute_scores(seq_hidden, torch.Tensor(mask).long())


def train_test(model, train_data, test_data):
    model.scheduler.step()
    print("start training: ", datetime.datetime.now())
    model.train()
    total_loss = 0.0
    slices = train_data.generate_batch(model.batch_size)
    for i, j in zip(slices, np.arange(len(slices))):
        model.optimizer.zero_grad()
        targets, scores = forward(model, i, train_data)
        loss = model.loss_function(scores, torch.Tensor(targets).long() - 1)
        loss.backward()
        model.optimizer.step()
        total_loss += loss
    print("\tLoss:\t%.3f" % total_loss)
