import torch

from sd_mhqa.hotpotqa_argument_parser import default_train_parser
from sd_mhqa.hotpotqa_data_helper import DataHelper
from sd_mhqa.hotpotqa_model import UnifiedSDModel

args = default_train_parser().parse_args()
train_dataloader = DataHelper(config=args).hotpot_train_dataloader
model = UnifiedSDModel(config=args).to(args.device)
if args.max_steps > 0:
    t_total_steps = args.max_steps
else:
    t_total_steps = len(train_dataloader) // args.gradient_accumulation_steps * args.num_train_epochs
if args.optimizer == "RecAdam":
    optimizer, scheduler = model.rec_adam_learning_optimizer(total_steps=t_total_steps)
else:
    optimizer, scheduler = model.fixed_learning_rate_optimizers(total_steps=t_total_steps)
if args.fp16:
    from apex import amp

    models, optimizer = amp.initialize([model], optimizer, opt_level=args.fp16_opt_level)
    model = models[0]
if args.local_rank != -1:
    model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[args.local_rank], output_device=args.local_rank, find_unused_parameters=True)

model.zero_grad()
for epoch in range(int(args.num_train_epochs)):
    for step, batch in enumerate(train_dataloader):
        model.train()
        loss_list = model(batch, return_yp=True)
        if args.n_gpu > 1:
            for loss in loss_list:
                loss = loss.mean()
        if args.gradient_accumulation_steps > 1:
            for loss in loss_list:
                loss = loss / args.gradient_accumulation_steps
        if args.fp16:
            with amp.scale_loss(loss_list[0], optimizer) as scaled_loss:
                scaled_loss.backward()
            torch.nn.utils.clip_grad_norm_(amp.master_params(optimizer), args.max_grad_norm)
        else:
            loss_list[0].backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.max_grad_norm)
        if (step + 1) % args.gradient_accumulation_steps == 0:
            optimizer.step()
            scheduler.step()
            model.zero_grad()
