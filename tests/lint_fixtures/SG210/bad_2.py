# accelerate: model.zero_grad() inside accumulate() is not skipped on non-sync steps.
from accelerate import Accelerator


def main(model, optimizer, loader):
    accelerator = Accelerator(gradient_accumulation_steps=4)
    model, optimizer, loader = accelerator.prepare(model, optimizer, loader)
    for batch in loader:
        with accelerator.accumulate(model):
            model.zero_grad()
            loss = model(**batch).loss
            accelerator.backward(loss)
            optimizer.step()
