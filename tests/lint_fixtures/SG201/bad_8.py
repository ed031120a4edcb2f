# The micro-batch counter is advanced by the outer loop; the backward and the step guard sit in
# an inner loop over tasks, and the guard also steps when no accumulation is configured.
def train(model, optimizer, data, tasks, accum_grad_n_steps=4):
    accum_n_steps = 0
    while True:
        batch, is_new_epoch = data.next()
        accum_n_steps += 1
        for task in tasks:
            loss, observation = model(batch, task)
            loss.backward()
            if accum_grad_n_steps == 1 or accum_n_steps >= accum_grad_n_steps:
                optimizer.step()
                optimizer.zero_grad()
                accum_n_steps = 0
        if is_new_epoch:
            break
