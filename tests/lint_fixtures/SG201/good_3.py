# The division sits behind a flag (Hugging Face example scripts), and engines that scale.
import deepspeed
import lightning as L


def train(args, model, optimizer, train_dataloader):
    for step, batch in enumerate(train_dataloader):
        outputs = model(**batch)
        loss = outputs.loss
        if args.gradient_accumulation_steps > 1:
            loss = loss / args.gradient_accumulation_steps
        loss.backward()
        if (step + 1) % args.gradient_accumulation_steps == 0:
            optimizer.step()
            optimizer.zero_grad()


def train_deepspeed(args, model, loader):
    engine, _, _, _ = deepspeed.initialize(args=args, model=model, model_parameters=model.parameters())
    for step, batch in enumerate(loader):
        loss = engine(batch)
        engine.backward(loss)
        engine.step()


class LitModel(L.LightningModule):
    def training_step(self, batch, batch_idx):
        x, y = batch
        return self.loss_fn(self(x), y)  # Trainer(accumulate_grad_batches=4) scales it
