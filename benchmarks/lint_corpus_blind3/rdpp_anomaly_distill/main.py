import torch

from model.de_resnet import de_wide_resnet50_2
from model.resnet import wide_resnet50_2
from utils.utils_train import MultiProjectionLayer, Revisit_RDLoss, loss_fucntion


def train(train_dataloader, pars, device, num_epoch):
    encoder, bn = wide_resnet50_2(pretrained=True)
    encoder = encoder.to(device).eval()
    bn = bn.to(device)
    decoder = de_wide_resnet50_2(pretrained=False).to(device)
    proj_layer = MultiProjectionLayer(base=64).to(device)
    proj_loss = Revisit_RDLoss()
    optimizer_proj = torch.optim.Adam(list(proj_layer.parameters()), lr=pars.proj_lr, betas=(0.5, 0.999))
    optimizer_distill = torch.optim.Adam(list(decoder.parameters()) + list(bn.parameters()), lr=pars.distill_lr, betas=(0.5, 0.999))

    for epoch in range(1, num_epoch + 1):
        bn.train()
        proj_layer.train()
        decoder.train()
        accumulation_steps = 2
        for i, (img, img_noise, _) in enumerate(train_dataloader):
            inputs = encoder(img.to(device))
            inputs_noise = encoder(img_noise.to(device))
            feature_space_noise, feature_space = proj_layer(inputs, features_noise=inputs_noise)
            L_proj = proj_loss(inputs_noise, feature_space_noise, feature_space)
            outputs = decoder(bn(feature_space))
            L_distill = loss_fucntion(inputs, outputs)
            loss = L_distill + pars.weight_proj * L_proj
            optimizer_proj.zero_grad()
            optimizer_distill.zero_grad()
            loss.backward()
            if (i + 1) % accumulation_steps == 0:
                optimizer_proj.step()
                optimizer_distill.step()
