import os

import torch
from accelerate import Accelerator
from torch.distributed._composable.fsdp import MixedPrecisionPolicy, fully_shard
from torch.distributed._tensor.device_mesh import init_device_mesh
from torch.optim import AdamW
from torch.utils.data import DataLoader
from transformers import AutoModelForCausalLM

MODEL_NAME = "mistralai/Mixtral-8x7B-Instruct-v0.1"


def main(
    load_model_dtype: str = "bfloat16",
    per_device_train_batch_size: int = 1,
    gradient_accumulation_steps: int = 1,
):
    model = AutoModelForCausalLM.from_pretrained(MODEL_NAME, torch_dtype=getattr(torch, load_model_dtype), low_cpu_mem_usage=True)
    dataloader = DataLoader(load_train_split(), batch_size=per_device_train_batch_size)
    world_size = int(os.environ.get("WORLD_SIZE", 1))
    dp_mesh = init_device_mesh("cuda", (world_size,), mesh_dim_names=("dp",))["dp"]
    mp_policy = MixedPrecisionPolicy(param_dtype=getattr(torch, load_model_dtype), reduce_dtype=getattr(torch, load_model_dtype))
    for layer in model.model.layers:
        fully_shard(layer, mesh=dp_mesh, mp_policy=mp_policy)
    fully_shard(model, mesh=dp_mesh, mp_policy=mp_policy)

    accelerator = Accelerator(gradient_accumulation_steps=gradient_accumulation_steps)
    optimizer = AdamW(model.parameters(), lr=1e-5)
    dataloader, optimizer = accelerator.prepare(dataloader, optimizer)

    for batch in dataloader:
        optimizer.zero_grad()
        inputs, targets = batch["input_ids"], batch["labels"]
        inputs = inputs.to("cuda")
        targets = targets.to("cuda")
        outputs = model(inputs, labels=targets, use_cache=False)
        loss = outputs.loss
        accelerator.backward(loss)
        optimizer.step()


if __name__ == "__main__":
    import fire

    fire.Fire(main)
