import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim


def loss_fn_kd(student_pred, teacher_pred, alpha, T):
    return nn.KLDivLoss(reduction="batchmean")(F.log_softmax(student_pred / T, dim=1), F.softmax(teacher_pred / T, dim=1))


def train_kd_teacher_student(teacher, student, train_dataloader, n_epochs, device_index, alpha, T):
    lambda_ = 0.001
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.Adam(student.parameters(), lr=0.0001, weight_decay=lambda_)
    lr_scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
    device = torch.device(device_index)
    teacher.to(device)
    student.to(device)
    for epoch in range(n_epochs):
        lr_scheduler.step()
        student.train()
        for batch_idx, (inputs, targets) in enumerate(train_dataloader):
            inputs, targets = inputs.to(device), targets.squeeze_().to(device)
            optimizer.zero_grad()
            with torch.no_grad():
                teacher.eval()
                teacher_pred = teacher(inputs)
            outputs = student(inputs)
            kd_loss = loss_fn_kd(outputs, teacher_pred.float(), alpha, T)
            classification_loss = criterion(outputs, targets)
            loss = alpha * classification_loss + (1 - alpha) * kd_loss
            l2_reg = torch.tensor(0.0, requires_grad=True)
            for name, param in student.named_parameters():
                if "weight" in name:
                    l2_reg = l2_reg + torch.norm(param, p=2) ** 2
            loss = loss + lambda_ * l2_reg
            loss.backward()
            optimizer.step()
    return student
