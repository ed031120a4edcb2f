import numpy as np
import timm
import torch
from torch import nn
from torch.nn.parameter import Parameter

from models.pointnet2.pointnet2 import Pointnet2_Ssg


class ULIP_WITH_IMAGE(nn.Module):
    def __init__(self, point_encoder, vision_model, vocab_size=49408, width=512, context_length=77, pc_feat_dims=256):
        super().__init__()
        self.visual = vision_model
        self.transformer = nn.TransformerEncoder(nn.TransformerEncoderLayer(width, 8), 12)
        self.token_embedding = nn.Embedding(vocab_size, width)
        self.positional_embedding = nn.Parameter(torch.empty(context_length, width))
        self.ln_final = nn.LayerNorm(width)
        self.image_projection = nn.Parameter(torch.empty(768, 512))
        self.text_projection = nn.Parameter(torch.empty(width, 512))
        self.logit_scale = nn.Parameter(torch.ones([]) * np.log(1 / 0.07))
        self.point_encoder = point_encoder
        self.pc_projection = nn.Parameter(torch.empty(pc_feat_dims, 512))

    def forward(self, pc, text, image=None):
        pc_embed = self.point_encoder(pc) @ self.pc_projection
        return {"pc_embed": pc_embed, "logit_scale": self.logit_scale.exp()}


def ULIP_PN_SSG(args):
    vision_model = timm.create_model("vit_base_patch16_224", num_classes=0)
    model = ULIP_WITH_IMAGE(point_encoder=Pointnet2_Ssg(), vision_model=vision_model, pc_feat_dims=256)
    if not args.evaluate_3d:
        pretrain = torch.load("./data/initialize_models/slip_base_100ep.pt", map_location="cpu")["state_dict"]
        pretrain = {k.replace("module.", ""): v for k, v in pretrain.items()}
        for name, param in model.named_parameters():
            if name not in pretrain:
                continue
            param.requires_grad = False
            param.data.copy_(pretrain[name].data if isinstance(pretrain[name], Parameter) else pretrain[name])
    return model


def get_loss(args):
    from models import losses
    return losses.ULIPWithImageLoss()
