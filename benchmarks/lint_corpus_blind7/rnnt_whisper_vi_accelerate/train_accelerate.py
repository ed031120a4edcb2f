import torch
from accelerate import Accelerator

from constants import LR, MIN_LR, TOTAL_STEPS, WARMUP_STEPS
from models.streaming_rnnt import StreamingRNNT
from utils.scheduler import WarmupLR


def train(args, train_dataloader, val_dataloader):
    accelerator = Accelerator(mixed_precision=args.precision, log_with="tensorboard", project_dir=args.output_dir)
    model = StreamingRNNT(att_context_size=[-1, args.att_context_size], vocab_size=args.vocab_size,
                          tokenizer_model_path=args.tokenizer_model_path)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.98), eps=1e-9)
    scheduler = WarmupLR(optimizer, WARMUP_STEPS, TOTAL_STEPS, MIN_LR)
    model, optimizer, train_dataloader, val_dataloader, scheduler = accelerator.prepare(
        model, optimizer, train_dataloader, val_dataloader, scheduler
    )
    for epoch in range(args.max_epochs):
        model.train()
        for batch_idx, batch in enumerate(train_dataloader):
            x, x_len, y, y_len = batch
            loss = model(x, x_len, y, y_len)
            accelerator.backward(loss)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
