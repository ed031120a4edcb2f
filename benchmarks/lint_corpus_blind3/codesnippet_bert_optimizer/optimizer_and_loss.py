from torch import nn
from transformers import AdamW, get_linear_schedule_with_warmup

EPOCHS = 4
lr = 0.0001
accumulation_steps = 2


def build(model, train_data_loader, df_train, TRAIN_BATCH_SIZE, device):
    param_optimizer = list(model.named_parameters())
    no_decay = ["bias", "LayerNorm.bias", "LayerNorm"]
    grouped = [
        {"params": [p for n, p in param_optimizer if not any(nd in n for nd in no_decay)], "weight_decay": 0.01},
        {"params": [p for n, p in param_optimizer if any(nd in n for nd in no_decay)], "weight_decay": 0.0},
    ]
    num_train_optimization_steps = int(EPOCHS * len(train_data_loader) // accumulation_steps)
    optimizer = AdamW(grouped, lr=lr)
    scheduler = get_linear_schedule_with_warmup(
        optimizer, num_warmup_steps=0, num_training_steps=num_train_optimization_steps
    )

    # another way
    optimizer = AdamW(model.parameters(), lr=2e-5, correct_bias=False)

    # another way
    no_decay = ["bias", "LayerNorm.bias", "LayerNorm.weight"]
    optimizer_parameters = [
        {"params": [p for n, p in param_optimizer if not any(nd in n for nd in no_decay)], "weight_decay": 0.001},
        {"params": [p for n, p in param_optimizer if any(nd in n for nd in no_decay)], "weight_decay": 0.0},
    ]
    num_train_steps = int(len(df_train) / TRAIN_BATCH_SIZE * EPOCHS)
    optimizer = AdamW(optimizer_parameters, lr=3e-5)
    scheduler = get_linear_schedule_with_warmup(optimizer, num_warmup_steps=0, num_training_steps=num_train_steps)
    loss_fn = nn.CrossEntropyLoss().to(device)
    return optimizer, scheduler, loss_fn
