import argparse
from pathlib import Path

import torch
import torch.optim as optim

from data.collate import collate_fn
from data.maestro import Maestro
from data.tokenizers import Tokenizer
from models.audiollama import AudioLlama, LLaMAConfig
from models.crnn3 import CRnn3


def train(args):
    device = "cuda"
    batch_size = 16
    training_steps = 100000
    lr = 1e-4
    max_token_len = 256
    tokenizer = Tokenizer()
    train_dataset = Maestro(root="/datasets/maestro-v2.0.0", split="train", segment_seconds=4.0, tokenizer=tokenizer, max_token_len=max_token_len + 1)
    train_dataloader = torch.utils.data.DataLoader(dataset=train_dataset, batch_size=batch_size, collate_fn=collate_fn)
    enc_model = CRnn3()
    enc_model.load_state_dict(torch.load(Path("checkpoints/train/CRnn3/step=90000.pth")))
    enc_model.to(device)
    for param in enc_model.parameters():
        param.requires_grad = False
    config = LLaMAConfig(block_size=401 + max_token_len, vocab_size=tokenizer.vocab_size, padded_vocab_size=tokenizer.vocab_size, n_layer=6, n_head=16, n_embd=1024, audio_n_embd=1024)
    model = AudioLlama(config)
    model.to(device)
    optimizer = optim.AdamW(model.parameters(), lr=lr)
    for step, data in enumerate(train_dataloader):
        audio = data["audio"].to(device)
        input_token = data["token"][:, 0:-1].to(device)
        target_token = data["token"][:, 1:].to(device)
        with torch.no_grad():
            enc_model.eval()
            audio_emb = enc_model(audio)["onset_emb"]
        optimizer.zero_grad()
        model.train()
        logits, loss = model(audio_emb=audio_emb, idx=input_token, target=target_token)
        loss.backward()
        optimizer.step()
        if step == training_steps:
            break


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--model_name", type=str, default="AudioLlama")
    train(parser.parse_args())
