import argparse

import torch
import torch.distributed as dist
from specforge import AutoDraftModelConfig, AutoEagle3DraftModel, OnlineEagle3Model
from specforge.data import prepare_dp_dataloaders
from specforge.distributed import get_dp_group, init_distributed
from specforge.lr_scheduler import CosineAnnealingWarmupLR
from torch.distributed.fsdp import FullyShardedDataParallel as FSDP
from torch.distributed.fsdp import MixedPrecision, ShardingStrategy
from transformers import AutoModelForCausalLM


def parse_args():
    parser = argparse.ArgumentParser(description="Train Eagle3 with online data")
    parser.add_argument("--target-model-path", type=str, required=True)
    parser.add_argument("--draft-model-config", type=str, required=True)
    parser.add_argument("--embedding-key", type=str, default="model.embed_tokens.weight")
    parser.add_argument("--num-epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=1)
    parser.add_argument("--learning-rate", type=float, default=1e-4)
    parser.add_argument("--warmup-ratio", type=float, default=0.02)
    parser.add_argument("--ttt-length", type=int, default=7)
    parser.add_argument("--attention-backend", type=str, default="flex_attention")
    return parser.parse_args()


def main(train_dataset):
    args = parse_args()
    init_distributed(timeout=20, tp_size=1)
    target_model = AutoModelForCausalLM.from_pretrained(args.target_model_path, torch_dtype=torch.bfloat16).eval().cuda()
    draft_config = AutoDraftModelConfig.from_file(args.draft_model_config)
    draft_model = AutoEagle3DraftModel.from_config(draft_config, attention_backend=args.attention_backend).cuda().to(torch.bfloat16)
    draft_model.load_embedding(args.target_model_path, embedding_key=args.embedding_key)
    draft_model.freeze_embedding()
    train_dataloader = prepare_dp_dataloaders(train_dataset, args.batch_size, num_workers=4, shuffle=True, process_group=get_dp_group())

    eagle3_model = OnlineEagle3Model(target_model=target_model, draft_model=draft_model, length=args.ttt_length)
    eagle3_model = FSDP(
        eagle3_model,
        use_orig_params=True,
        mixed_precision=MixedPrecision(param_dtype=torch.bfloat16, buffer_dtype=torch.bfloat16),
        sharding_strategy=ShardingStrategy.SHARD_GRAD_OP,
        ignored_modules=[target_model],
        process_group=get_dp_group(),
    )

    optimizer = torch.optim.AdamW(eagle3_model.parameters(), lr=args.learning_rate)
    total_steps = args.num_epochs * len(train_dataloader)
    warmup_steps = int(total_steps * args.warmup_ratio)
    scheduler = CosineAnnealingWarmupLR(optimizer, total_steps=total_steps, warmup_steps=warmup_steps)

    for epoch in range(args.num_epochs):
        train_dataloader.sampler.set_epoch(epoch + 1)
        draft_model.train()
        for data in train_dataloader:
            optimizer.zero_grad()
            plosses, _, acces = eagle3_model(input_ids=data["input_ids"].cuda(), attention_mask=data["attention_mask"].cuda(), loss_mask=data["loss_mask"].cuda())
            ploss_weight = [0.8**i for i in range(len(plosses))]
            ploss = sum([ploss_weight[i] * plosses[i] for i in range(len(plosses))])
            ploss.backward()
            optimizer.step()
            scheduler.step()
    dist.barrier()
