# Distillation: the teacher is wrapped in DDP too but runs under no_grad; the model whose
# backward all-reduces every micro-batch is the student.
import torch
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel as DDP


def distill(teacher, student, loader, optimizer, local_rank, accum=4, temperature=2.0):
    teacher = DDP(teacher, device_ids=[local_rank])
    student = DDP(student, device_ids=[local_rank])
    for i, (x, y) in enumerate(loader):
        with torch.no_grad():
            soft = teacher(x)
        logits = student(x)
        loss = F.kl_div(
            F.log_softmax(logits / temperature, -1), F.softmax(soft / temperature, -1)
        ) / accum
        loss.backward()
        if (i + 1) % accum == 0:
            optimizer.step()
            optimizer.zero_grad()
