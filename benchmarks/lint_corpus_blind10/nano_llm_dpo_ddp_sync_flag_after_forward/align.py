import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, DistributedSampler

from model import Transformer
from data import PreferencePairs
from utils.ddp_helper import init_ddp
from utils.training_utils import configure_optimizers


def sequence_logprob(logits, labels):
    shift_logits = logits[..., :-1, :].contiguous()
    shift_labels = labels[..., 1:].contiguous()
    nll = nn.CrossEntropyLoss(reduction="none", ignore_index=-100)(
        shift_logits.view(-1, shift_logits.size(-1)), shift_labels.view(-1)
    ).view(shift_labels.size())
    return -nll.sum(dim=-1)


def preference_loss(pol_c, pol_r, ref_c, ref_r, beta):
    margin = beta * ((pol_c - pol_r) - (ref_c - ref_r))
    return -F.logsigmoid(margin).mean()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sft_checkpoint_path", type=str, required=True)
    p.add_argument("--data_path", type=str, required=True)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch_size", type=int, default=2)
    p.add_argument("--grad_accum_steps", type=int, default=8)
    p.add_argument("--beta", type=float, default=0.1)
    p.add_argument("--max_lr", type=float, default=5e-6)
    p.add_argument("--weight_decay", type=float, default=0.01)
    args = p.parse_args()

    info = init_ddp()
    ddp, device = info["ddp"], info["device"]

    dataset = PreferencePairs(args.data_path)
    sampler = DistributedSampler(dataset) if ddp else None
    loader = DataLoader(dataset, batch_size=args.batch_size, sampler=sampler, shuffle=sampler is None)

    ckpt = torch.load(args.sft_checkpoint_path, map_location="cpu")
    policy = Transformer(ckpt["config"]).to(device)
    policy.load_state_dict(ckpt["model_state_dict"])
    reference = Transformer(ckpt["config"]).to(device)
    reference.load_state_dict(ckpt["model_state_dict"])
    reference.eval()
    for prm in reference.parameters():
        prm.requires_grad = False

    if ddp:
        policy = DDP(policy, device_ids=[info["local_rank"]])

    optimizer = configure_optimizers(model=policy, weight_decay=args.weight_decay,
                                     learning_rate=args.max_lr, device_type="cuda")

    dtype = torch.bfloat16
    for epoch in range(args.epochs):
        if sampler is not None:
            sampler.set_epoch(epoch)
        policy.train()
        optimizer.zero_grad(set_to_none=True)

        for batch_idx, batch in enumerate(loader):
            c_ids, c_lab = batch["chosen_input_ids"].to(device), batch["chosen_labels"].to(device)
            r_ids, r_lab = batch["rejected_input_ids"].to(device), batch["rejected_labels"].to(device)

            with torch.amp.autocast("cuda", dtype=dtype):
                pol_c = sequence_logprob(policy(c_ids)[0], c_lab)
                pol_r = sequence_logprob(policy(r_ids)[0], r_lab)
            with torch.no_grad(), torch.amp.autocast("cuda", dtype=dtype):
                ref_c = sequence_logprob(reference(c_ids)[0], c_lab)
                ref_r = sequence_logprob(reference(r_ids)[0], r_lab)

            loss = preference_loss(pol_c, pol_r, ref_c, ref_r, args.beta)
            loss = loss / args.grad_accum_steps

            if ddp:
                policy.require_backward_grad_sync = (batch_idx + 1) % args.grad_accum_steps == 0
            loss.backward()

            if (batch_idx + 1) % args.grad_accum_steps == 0:
                torch.nn.utils.clip_grad_norm_(policy.parameters(), 1.0)
                optimizer.step()
                optimizer.zero_grad(set_to_none=True)


if __name__ == "__main__":
    main()
