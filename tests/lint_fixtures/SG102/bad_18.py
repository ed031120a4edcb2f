# Three learning-rate groups picked by a keyword matcher (the backbone, the sampling-offset
# projections, the rest); every group decays at the top-level value, so every bias and norm does.
import torch


def match_name_keywords(name, keywords):
    return any(k in name for k in keywords)


def build(model, args):
    groups = [
        {
            "params": [
                p
                for name, p in model.named_parameters()
                if not match_name_keywords(name, args.lr_backbone_names)
                and not match_name_keywords(name, args.lr_linear_proj_names)
                and p.requires_grad
            ],
            "lr": args.lr,
        },
        {
            "params": [
                p for n, p in model.named_parameters() if match_name_keywords(n, args.lr_backbone_names) and p.requires_grad
            ],
            "lr": args.lr_backbone,
        },
        {
            "params": [
                p
                for n, p in model.named_parameters()
                if not match_name_keywords(n, args.lr_backbone_names)
                and match_name_keywords(n, args.lr_linear_proj_names)
                and p.requires_grad
            ],
            "lr": args.lr * args.lr_linear_proj_mult,
        },
    ]
    return torch.optim.AdamW(groups, lr=args.lr, weight_decay=1e-4)
