import torch
from torch.optim import AdamW
from torch.utils.data import DataLoader, SequentialSampler
from transformers import AutoConfig, get_linear_schedule_with_warmup

from model import BertForCL


class Arguments:
    def __init__(self):
        self.model_name_or_path = "bert-base-uncased"
        self.learning_rate = 3e-5
        self.adam_epsilon = 1e-8
        self.warmup_proportion = 0.1
        self.weight_decay = 0.01
        self.num_train_epochs = 1
        self.gradient_accumulation_steps = 1
        self.batch_size = 8


args = Arguments()
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
config = AutoConfig.from_pretrained(args.model_name_or_path)

train_data = load_wiki("data/wiki1m_for_simcse.txt")  # noqa: F821
train_dataloader = DataLoader(train_data, batch_size=args.batch_size, sampler=SequentialSampler(train_data))

num_train_optimization_steps = (
    int(len(train_data) / args.batch_size / args.gradient_accumulation_steps) * args.num_train_epochs
)

model = BertForCL.from_pretrained(args.model_name_or_path, config=config)
model.to(device)

param_optimizer = list(model.named_parameters())
no_decay = ["bias", "LayerNorm.weight"]
optimizer_grouped_parameters = [
    {"params": [p for n, p in param_optimizer if not any(nd in n for nd in no_decay)], "weight_decay": args.weight_decay},
    {"params": [p for n, p in param_optimizer if any(nd in n for nd in no_decay)], "weight_decay": 0.0},
]
warmup_steps = int(args.warmup_proportion * num_train_optimization_steps)
optimizer = AdamW(optimizer_grouped_parameters, lr=args.learning_rate, eps=args.adam_epsilon)
scheduler = get_linear_schedule_with_warmup(
    optimizer, num_warmup_steps=warmup_steps, num_training_steps=num_train_optimization_steps
)

for epoch in range(args.num_train_epochs):
    model.train()
    running_loss = 0.0
    for step, batch in enumerate(train_dataloader):
        input_ids, attention_mask, token_type_ids = (t.to(device) for t in batch)
        # zero the parameter gradients
        optimizer.zero_grad()
        outputs = model(input_ids, attention_mask, token_type_ids)
        loss = outputs["loss"]

        if args.gradient_accumulation_steps > 1:
            loss = loss / args.gradient_accumulation_steps
        loss.backward()
        running_loss += loss.item()
        if (step + 1) % args.gradient_accumulation_steps == 0:
            optimizer.step()
            scheduler.step()  # Update learning rate schedule
            model.zero_grad()
        optimizer.step()
