# A training task handed an Accelerator built elsewhere: the prepared optimizer zeroes at the top
# of accumulate(), before the backward (latent: it bites when that Accelerator accumulates).
import torch


def launch_training_task(accelerator, dataset, model, learning_rate=1e-5, num_epochs=1):
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=0.0)
    loader = torch.utils.data.DataLoader(dataset, shuffle=True)
    model, optimizer, loader = accelerator.prepare(model, optimizer, loader)
    for _ in range(num_epochs):
        for data in loader:
            with accelerator.accumulate(model):
                optimizer.zero_grad()
                loss = model(data)
                accelerator.backward(loss)
                optimizer.step()
