from accelerate import Accelerator
from accelerate import DistributedDataParallelKwargs as DDPK

from train import get_learnable_params, get_optimizer_and_scheduler


def train(configs, train_dataloader):
    audio_encoder = get_audio_encoder(configs)
    tokenizer = get_tokenizer(configs)
    llm = get_llm(configs, audio_latent_dim=audio_encoder.latent_dim, vocab_size=len(tokenizer))
    params = get_learnable_params(configs, audio_encoder, llm)
    optimizer, scheduler = get_optimizer_and_scheduler(configs=configs, params=params)

    accelerator = Accelerator(kwargs_handlers=[DDPK(find_unused_parameters=True)])
    audio_encoder, llm, tokenizer, optimizer, train_dataloader = accelerator.prepare(
        audio_encoder, llm, tokenizer, optimizer, train_dataloader
    )

    for step, data in enumerate(train_dataloader):
        audio, question, answer = split_batch(data)
        latent = audio_encoder.module.encode(audio=audio)
        outputs = llm(seqs=[latent, question, answer])
        loss = ce_loss(outputs, [latent, question, answer])
        optimizer.zero_grad()
        accelerator.backward(loss)
        optimizer.step()
        if scheduler:
            scheduler.step()
        if step == configs["train"]["training_steps"]:
            break
