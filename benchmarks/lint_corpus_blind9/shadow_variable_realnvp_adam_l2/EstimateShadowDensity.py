import torch
from torch.utils.data import DataLoader

import Argparser
from Utils.BaseModel import AffineTransform, RealNVP
from Utils.Dataloader import Base_TrainingDataset

device = "cuda" if torch.cuda.is_available() else "cpu"


def s0_density_train_eval(config, train_data):
    loader = DataLoader(Base_TrainingDataset(data=train_data), batch_size=config["batch_size"], shuffle=True)
    inp_size = train_data.shape[1]
    layer_dim, layer_num = config["layer_dim"], config["layer_num"]
    real_nvp_s0 = RealNVP([
        AffineTransform("left", input_size=inp_size, layer_num=layer_num, layer_dim=layer_dim, device=device),
        AffineTransform("right", input_size=inp_size, layer_num=layer_num, layer_dim=layer_dim * 2, device=device),
        AffineTransform("left", input_size=inp_size, layer_num=layer_num, layer_dim=layer_dim, device=device),
    ])
    real_nvp_s0.to(device)
    optimizer = torch.optim.Adam(params=real_nvp_s0.parameters(), lr=config["lr"],
                                 weight_decay=config["weight_decay"])
    for epoch in range(config["epochs"]):
        real_nvp_s0.train()
        for index, shadow_s0 in enumerate(loader):
            optimizer.zero_grad()
            l2_reg = torch.tensor([0]).to(device)
            for param in real_nvp_s0.parameters():
                l2_reg = l2_reg + torch.norm(param)
            loss = real_nvp_s0.nll(shadow_s0) + l2_reg * config["l2_penalty"]
            loss.backward()
            optimizer.step()
    return real_nvp_s0


if __name__ == "__main__":
    args = Argparser.parse_args()
    train_eval_config = {
        "seed": 1208,
        "epochs": 1000,
        "lr": 5e-04,
        "batch_size": 1024,
        "layer_dim": 512,
        "layer_num": 3,
        "l2_penalty": 1e-04,
        "weight_decay": 1e-06,
    }
    s0_density_train_eval(train_eval_config, args.shadow_data)
