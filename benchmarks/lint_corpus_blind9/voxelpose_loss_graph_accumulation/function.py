import torch


def train_3d(config, model, optimizer, loader, epoch, output_dir, writer_dict, device=torch.device("cuda"), dtype=torch.float):
    model.train()
    if model.module.backbone is not None:
        model.module.backbone.eval()
    accumulation_steps = 4
    accu_loss_3d = 0
    for i, (inputs, targets_2d, weights_2d, targets_3d, meta, input_heatmap) in enumerate(loader):
        pred, heatmaps, grid_centers, loss_2d, loss_3d, loss_cord = model(views=inputs, meta=meta,
                                                                          targets_2d=targets_2d,
                                                                          weights_2d=weights_2d,
                                                                          targets_3d=targets_3d[0])
        loss_2d = loss_2d.mean()
        loss_3d = loss_3d.mean()
        loss_cord = loss_cord.mean()
        loss = loss_2d + loss_3d + loss_cord
        if loss_cord > 0:
            optimizer.zero_grad()
            (loss_2d + loss_cord).backward()
            optimizer.step()
        if accu_loss_3d > 0 and (i + 1) % accumulation_steps == 0:
            optimizer.zero_grad()
            accu_loss_3d.backward()
            optimizer.step()
            accu_loss_3d = 0.0
        else:
            accu_loss_3d += loss_3d / accumulation_steps
