import argparse

import torch
import torch.nn.functional as F
import torch.optim as optim
import torch.utils.data

from pointnet.dataset import PartDataset
from pointnet.model import PointNetCls

parser = argparse.ArgumentParser()
parser.add_argument("--batchSize", type=int, default=32)
parser.add_argument("--num_points", type=int, default=2500)
parser.add_argument("--nepoch", type=int, default=25)
parser.add_argument("--outf", type=str, default="cls")
opt = parser.parse_args()

dataset = PartDataset(root="shapenetcore_partanno_segmentation_benchmark_v0", classification=True,
                      npoints=opt.num_points)
dataloader = torch.utils.data.DataLoader(dataset, batch_size=opt.batchSize, shuffle=True)
classifier = PointNetCls(k=len(dataset.classes))
optimizer = optim.SGD(classifier.parameters(), lr=0.01, momentum=0.9)
classifier.cuda()

for epoch in range(opt.nepoch):
    for i, data in enumerate(dataloader, 0):
        points, target = data
        points, target = points.transpose(2, 1).cuda(), target[:, 0].cuda()
        optimizer.zero_grad()
        classifier = classifier.train()
        pred, _ = classifier(points)
        loss = F.nll_loss(pred, target)
        loss.backward()
        optimizer.step()
    torch.save(classifier.state_dict(), "%s/cls_model_%d.pth" % (opt.outf, epoch))
