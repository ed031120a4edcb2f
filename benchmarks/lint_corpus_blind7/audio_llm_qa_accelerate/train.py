import torch.optim as optim


def get_learnable_params(configs, audio_encoder, llm):
    params = []
    if configs["audio_encoder"]["trainable"]:
        params += list(audio_encoder.parameters())
    if configs["llm"]["trainable"]:
        params += list(llm.parameters())
    return params


def get_optimizer_and_scheduler(configs, params):
    lr = float(configs["train"]["lr"])
    warm_up_steps = configs["train"]["warm_up_steps"]
    if configs["train"]["optimizer"] == "AdamW":
        optimizer = optim.AdamW(params=params, lr=lr)
    if warm_up_steps:
        scheduler = optim.lr_scheduler.LambdaLR(optimizer=optimizer, lr_lambda=LinearWarmUp(warm_up_steps))
    else:
        scheduler = None
    return optimizer, scheduler
