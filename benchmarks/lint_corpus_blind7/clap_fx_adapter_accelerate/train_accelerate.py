import torch.optim as optim
from accelerate import Accelerator


def create_model_and_optimizer(args):
    model = build_tuned_clap_model(sample_rate=args.sample_rate, freeze_text_encoder=True)
    for param in model.parameters():
        param.requires_grad = False
    adapter_params = []
    for name, param in model.named_parameters():
        if any(key in name for key in ["backbone.adapters", "backbone.final_norm", "decoder."]):
            param.requires_grad = True
            adapter_params.append(param)
    optimizer = optim.AdamW(
        adapter_params,
        lr=args.learning_rate,
        weight_decay=0.01,
    )
    return model, optimizer


def train_epoch(model, train_loader, optimizer, accelerator, teacher_clap):
    model.train()
    for batch_idx, batch in enumerate(train_loader):
        loss = clap_loss(model, teacher_clap, batch["audio"], batch["description"])
        optimizer.zero_grad()
        accelerator.backward(loss)
        accelerator.clip_grad_norm_(model.parameters(), max_norm=1.0)
        optimizer.step()


def main(args):
    accelerator = Accelerator()
    model, optimizer = create_model_and_optimizer(args)
    model, optimizer, train_loader = accelerator.prepare(model, optimizer, make_loader(args))
    for epoch in range(args.epochs):
        train_epoch(model, train_loader, optimizer, accelerator, load_teacher())
