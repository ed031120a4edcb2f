import torch.optim as optim
from torch.nn import LogSoftmax, NLLLoss


def loss_func(scores, target, nllloss):
    m = LogSoftmax(dim=1)
    return nllloss(m(scores), target)


def train(net, train_loader, epochs=10):
    optimizer = optim.Adam(net.parameters(), lr=0.01)
    acumulate_grad_steps = 50
    nllloss = NLLLoss(ignore_index=-1)
    net.train()
    for epoch in range(epochs):
        for i, sentence in enumerate(train_loader):
            headers = sentence[2].to(net.device)
            scores = net(sentence)
            loss = loss_func(scores, headers, nllloss)
            loss = loss / acumulate_grad_steps
            loss.backward()
            if i % acumulate_grad_steps == 0:
                optimizer.step()
                net.zero_grad()
