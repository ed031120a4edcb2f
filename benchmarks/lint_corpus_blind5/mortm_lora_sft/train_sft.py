import os

import torch
from loralib import mark_only_lora_as_trainable
from torch.nn.parallel import DistributedDataParallel as DDP

from mortm.models.mortm import MORTM
from mortm.train.train import MORTMTrainSet, train_custom
from mortm.train.utils.loss import MaskedCrossEntropyLoss


class MORTMSFTTrainSet(MORTMTrainSet):
    LORA_RANK = 4

    def __init__(self, args, t_args, progress, load_directory=None):
        args.use_attn_lora = True
        args.lora_r = self.LORA_RANK
        self.local_rank = int(os.environ.get("LOCAL_RANK", 0))
        device = torch.device(f"cuda:{self.local_rank}")
        self.model = MORTM(progress=progress, args=args).to(device)
        if load_directory is not None:
            state = torch.load(load_directory, map_location=device)
            self.model.load_state_dict({k.replace("module.", ""): v for k, v in state.items()}, strict=False)
        self.model = self.model.to(dtype=torch.bfloat16)
        mark_only_lora_as_trainable(self.model)
        for name, p in self.model.named_parameters():
            if "embedding" in name.lower() or name.endswith("Wout.weight"):
                p.requires_grad = True
        self.model = DDP(self.model, device_ids=[self.local_rank], find_unused_parameters=True)
        trainable = [p for p in self.model.parameters() if p.requires_grad]
        adam = torch.optim.AdamW(trainable, lr=t_args.lr_param)
        super().__init__(criterion=MaskedCrossEntropyLoss(ignore_index=0).to(device), optimizer=adam, t_args=t_args, m_args=args)
