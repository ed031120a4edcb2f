import torch
from torch.nn import MSELoss
from torch.nn.parallel import DistributedDataParallel as DDP


def coral(data):
    n = data.size(0)
    id_row = torch.ones(n).resize(1, n).cuda()
    mean_column = torch.div(torch.mm(id_row, data), n)
    return (torch.mm(data.t(), data) - torch.mm(mean_column.t(), mean_column)) / (n - 1)


def CORAL(src, tgt):
    d = src.size(1)
    diff = coral(src) - coral(tgt)
    return torch.sum(diff * diff) / (4 * d * d)


def train_model(train_dat, model, n_epochs, lambda_, lambda_l2, device):
    model = model.cuda()
    model = DDP(model, device_ids=[device])
    criterion = torch.nn.CrossEntropyLoss()
    l2loss = MSELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0)
    for epoch in range(n_epochs):
        for i, (src_data, src_label, tgt_data, tgt_label) in enumerate(train_dat):
            tgt_data, src_data = tgt_data.to(device), src_data.to(device)
            src_label, tgt_label = src_label.to(device), tgt_label.to(device)
            src_out, tgt_out, dm_out, centr1, centr2 = model(src_data, tgt_data)
            loss_classifier = criterion(src_out, src_label)
            loss_classifier_tgt = criterion(tgt_out, tgt_label)
            loss_coral = CORAL(centr1, centr2)
            loss_l2 = l2loss(dm_out, src_data[:, 0:25])
            sum_loss = lambda_ * loss_coral + loss_classifier + lambda_l2 * loss_l2 + loss_classifier_tgt * 0.5
            optimizer.zero_grad()
            sum_loss.backward()
            optimizer.step()
