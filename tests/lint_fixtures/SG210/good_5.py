# Accelerator(gradient_accumulation_steps=1): nothing accumulates, zeroing the module's
# gradients inside accumulate() wipes nothing.
from accelerate import Accelerator


def main(model, optimizer, loader):
    accelerator = Accelerator(gradient_accumulation_steps=1)
    model, optimizer, loader = accelerator.prepare(model, optimizer, loader)
    for batch in loader:
        with accelerator.accumulate(model):
            model.zero_grad()
            loss = model(**batch).loss
            accelerator.backward(loss)
            optimizer.step()
