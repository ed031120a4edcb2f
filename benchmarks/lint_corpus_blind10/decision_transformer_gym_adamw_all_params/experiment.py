import argparse

import torch

from dt.model import ReturnConditionedTransformer
from dt.seq_trainer import SeqTrainer


def run(variant, get_batch, state_dim, act_dim, max_ep_len, eval_fns):
    device = variant.get("device", "cuda")
    model = ReturnConditionedTransformer(
        state_dim=state_dim,
        act_dim=act_dim,
        max_length=variant["K"],
        max_ep_len=max_ep_len,
        hidden_size=variant["embed_dim"],
        n_layer=variant["n_layer"],
        n_head=variant["n_head"],
        n_inner=4 * variant["embed_dim"],
        activation_function=variant["activation_function"],
        n_positions=1024,
        resid_pdrop=variant["dropout"],
        attn_pdrop=variant["dropout"],
    ).to(device=device)

    warmup_steps = variant["warmup_steps"]
    optimizer = torch.optim.AdamW(
        model.parameters(),
        lr=variant["learning_rate"],
        weight_decay=variant["weight_decay"],
    )
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda steps: min((steps + 1) / warmup_steps, 1))

    trainer = SeqTrainer(
        model=model,
        optimizer=optimizer,
        batch_size=variant["batch_size"],
        get_batch=get_batch,
        scheduler=scheduler,
        loss_fn=lambda a_hat, a: torch.mean((a_hat - a) ** 2),
        eval_fns=eval_fns,
    )
    for _ in range(variant["max_iters"]):
        trainer.train_iteration(num_steps=variant["num_steps_per_iter"])


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--env", type=str, default="hopper")
    parser.add_argument("--K", type=int, default=20)
    parser.add_argument("--batch_size", type=int, default=64)
    parser.add_argument("--embed_dim", type=int, default=128)
    parser.add_argument("--n_layer", type=int, default=3)
    parser.add_argument("--n_head", type=int, default=1)
    parser.add_argument("--activation_function", type=str, default="relu")
    parser.add_argument("--dropout", type=float, default=0.1)
    parser.add_argument("--learning_rate", "-lr", type=float, default=1e-4)
    parser.add_argument("--weight_decay", "-wd", type=float, default=1e-4)
    parser.add_argument("--warmup_steps", type=int, default=10000)
    parser.add_argument("--max_iters", type=int, default=10)
    parser.add_argument("--num_steps_per_iter", type=int, default=10000)
    args = parser.parse_args()
    run(vars(args), get_batch=None, state_dim=11, act_dim=3, max_ep_len=1000, eval_fns=[])
