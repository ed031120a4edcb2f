import torch
import torch.nn as nn

from chemprop.nn_utils import NoamLR


def train(model, data_loader, loss_func, optimizer, scheduler, args, n_iter=0):
    model.train()
    for batch in data_loader:
        mol_batch, features_batch, target_batch = batch.batch_graph(), batch.features(), batch.targets()
        mask = torch.Tensor([[x is not None for x in tb] for tb in target_batch])
        targets = torch.Tensor([[0 if x is None else x for x in tb] for tb in target_batch])

        model.zero_grad()
        preds = model(mol_batch, features_batch)
        mask, targets = mask.to(preds.device), targets.to(preds.device)
        loss = loss_func(preds, targets) * mask
        loss = loss.sum() / mask.sum()

        loss.backward()
        if args.grad_clip:
            nn.utils.clip_grad_norm_(model.parameters(), args.grad_clip)
        optimizer.step()

        if isinstance(scheduler, NoamLR):
            scheduler.step()
        n_iter += len(batch)
    return n_iter
