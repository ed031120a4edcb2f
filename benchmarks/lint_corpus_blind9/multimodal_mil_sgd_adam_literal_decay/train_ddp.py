import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

from config import create_arg_parser
from model.utils import get_model
from utils import adjust_learning_rate


def main_worker(gpu, ngpus_per_node, args, dataloader_train):
    args.gpu = gpu
    dist.init_process_group(backend=args.dist_backend, init_method=f"{args.dist_url}", world_size=args.world_size, rank=args.rank)
    model = get_model(args)
    torch.cuda.set_device(args.gpu)
    model.cuda(args.gpu)
    generator = DistributedDataParallel(model, device_ids=[args.gpu], find_unused_parameters=True)
    criterion = torch.nn.BCELoss().cuda(args.gpu)
    criterion_CosSim = torch.nn.CosineEmbeddingLoss().cuda(args.gpu)
    if args.learnablePrompt:
        args.lr = 0.001
        optimizer = torch.optim.SGD(generator.parameters(),
                                    lr=args.lr,
                                    weight_decay=10**-7
                                    )
    else:
        if args.num_classes > 2:
            args.lr = 0.001
        else:
            args.lr = 0.00001
        optimizer = torch.optim.Adam(generator.parameters(),
                                     lr=args.lr,
                                     betas=(args.b1, args.b2),
                                     weight_decay=10**-7)
    for epoch in range(args.start_epoch, args.n_epochs):
        adjust_learning_rate(optimizer, epoch, args)
        train(dataloader_train, generator, criterion, criterion_CosSim, optimizer, epoch, args)


def train(dataloader_train, generator, criterion, criterion_CosSim, optimizer, epoch, args):
    label_for_CosSim = torch.tensor([1], dtype=torch.float32).cuda(args.gpu)
    generator.train()
    for i, train_data_dict in enumerate(dataloader_train):
        train_input_CT = train_data_dict["input_CT"].cuda(non_blocking=True)
        train_input_pathology = train_data_dict["input_pathology"].cuda(non_blocking=True)
        train_input_CI = train_data_dict["input_CI"]
        train_label = train_data_dict["label"].float().cuda(non_blocking=True)
        train_outputs, train_CI, _ = generator([train_input_CT, train_input_pathology], train_input_CI)
        train_loss_CT = criterion(train_outputs[1], train_label)
        train_loss_Pth = criterion(train_outputs[2], train_label)
        train_loss_Last = criterion(train_outputs[0], train_label)
        train_loss = train_loss_CT + train_loss_Pth + train_loss_Last
        if "textCosSim" in args.loss:
            train_loss_textCosSim = criterion_CosSim(train_CI[0].squeeze(1), train_CI[1].squeeze(1), label_for_CosSim)
            train_loss += train_loss_textCosSim
        optimizer.zero_grad()
        train_loss.backward()
        optimizer.step()
