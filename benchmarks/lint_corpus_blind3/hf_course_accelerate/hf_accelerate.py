from accelerate import Accelerator

from fine_tuning import epochs, lr_scheduler, model, optimizer, test_loader, train_loader

accelerator = Accelerator()
train_loader, test_loader, model, optimizer = accelerator.prepare(train_loader, test_loader, model, optimizer)

for epoch in range(epochs):
    for batch in train_loader:
        outputs = model(**batch)
        loss = outputs.loss
        accelerator.backward(loss)

        optimizer.step()
        lr_scheduler.step()
        optimizer.zero_grad()
