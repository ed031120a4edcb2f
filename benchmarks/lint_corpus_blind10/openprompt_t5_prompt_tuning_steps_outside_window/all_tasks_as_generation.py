import argparse

import torch
from openprompt import PromptDataLoader
from openprompt.pipeline_base import PromptForGeneration
from openprompt.plms import load_plm
from openprompt.prompts import SoftTemplate
from transformers import AdamW, get_constant_schedule_with_warmup, get_linear_schedule_with_warmup
from transformers.optimization import Adafactor

parser = argparse.ArgumentParser("")
parser.add_argument("--tune_plm", action="store_true")
parser.add_argument("--model", type=str, default="t5-lm")
parser.add_argument("--model_name_or_path", default="../../plm_cache/t5-large-lm-adapt/")
parser.add_argument("--dataset", type=str)
parser.add_argument("--max_steps", default=20000, type=int)
parser.add_argument("--prompt_lr", type=float, default=0.3)
parser.add_argument("--warmup_step_prompt", type=int, default=500)
parser.add_argument("--soft_token_num", type=int, default=20)
parser.add_argument("--optimizer", type=str, default="Adafactor")
args = parser.parse_args()

plm, tokenizer, model_config, WrapperClass = load_plm(args.model, args.model_name_or_path)

if args.dataset in ("boolq", "multirc", "cb", "wic", "copa", "wsc", "record"):
    if args.tune_plm:
        batchsize_t = 4
        gradient_accumulation_steps = 8
    else:
        batchsize_t = 8
        gradient_accumulation_steps = 4
elif args.dataset == "rte":
    if args.tune_plm:
        batchsize_t = 4
        gradient_accumulation_steps = 2
    else:
        batchsize_t = 8
        gradient_accumulation_steps = 4
else:
    raise NotImplementedError

template = SoftTemplate(model=plm, tokenizer=tokenizer, num_tokens=args.soft_token_num)
prompt_model = PromptForGeneration(plm=plm, template=template, freeze_plm=(not args.tune_plm)).cuda()
train_dataloader = PromptDataLoader(dataset=[], template=template, tokenizer=tokenizer,
                                    tokenizer_wrapper_class=WrapperClass, batch_size=batchsize_t,
                                    shuffle=True, teacher_forcing=True, predict_eos_token=True)

tot_step = args.max_steps

if args.tune_plm:
    no_decay = ["bias", "LayerNorm.weight"]
    plm_groups = [
        {"params": [p for n, p in prompt_model.plm.named_parameters() if not any(nd in n for nd in no_decay)], "weight_decay": 0.01},
        {"params": [p for n, p in prompt_model.plm.named_parameters() if any(nd in n for nd in no_decay)], "weight_decay": 0.0},
    ]
    optimizer1 = AdamW(plm_groups, lr=3e-5)
    scheduler1 = get_linear_schedule_with_warmup(optimizer1, num_warmup_steps=500, num_training_steps=tot_step)
else:
    optimizer1 = None
    scheduler1 = None

prompt_groups = [{"params": [p for name, p in prompt_model.template.named_parameters() if "raw_embedding" not in name]}]
if args.optimizer.lower() == "adafactor":
    optimizer2 = Adafactor(prompt_groups, lr=args.prompt_lr, relative_step=False, scale_parameter=False, warmup_init=False)
    scheduler2 = get_constant_schedule_with_warmup(optimizer2, num_warmup_steps=args.warmup_step_prompt)
elif args.optimizer.lower() == "adamw":
    optimizer2 = AdamW(prompt_groups, lr=args.prompt_lr)
    scheduler2 = get_linear_schedule_with_warmup(optimizer2, num_warmup_steps=args.warmup_step_prompt, num_training_steps=tot_step)

tot_loss = 0
glb_step = 0
actual_step = 0
leave_training = False
prompt_model.train()

for epoch in range(1000000):
    for step, inputs in enumerate(train_dataloader):
        inputs = inputs.cuda()
        loss = prompt_model(inputs)
        loss.backward()
        tot_loss += loss.item()
        actual_step += 1

        if actual_step % gradient_accumulation_steps == 0:
            torch.nn.utils.clip_grad_norm_(prompt_model.parameters(), 1.0)
            glb_step += 1

        if optimizer1 is not None:
            optimizer1.step()
            optimizer1.zero_grad()
        if scheduler1 is not None:
            scheduler1.step()
        if optimizer2 is not None:
            optimizer2.step()
            optimizer2.zero_grad()
        if scheduler2 is not None:
            scheduler2.step()

        if glb_step > args.max_steps:
            leave_training = True
            break
    if leave_training:
        break
