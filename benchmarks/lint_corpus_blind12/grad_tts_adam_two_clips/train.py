"""Paraphrase of Grad-TTS/train.py (huawei-noah/Speech-Backbones): diffusion-based TTS training loop."""
import torch
from torch.utils.data import DataLoader

import params
from data import TextMelBatchCollate, TextMelDataset
from model import GradTTS

n_epochs = params.n_epochs
batch_size = params.batch_size
learning_rate = params.learning_rate

if __name__ == "__main__":
    train_dataset = TextMelDataset(params.train_filelist_path, params.cmudict_path, params.add_blank)
    loader = DataLoader(dataset=train_dataset, batch_size=batch_size, collate_fn=TextMelBatchCollate(),
                        drop_last=True, num_workers=4, shuffle=False)
    model = GradTTS(params).cuda()
    optimizer = torch.optim.Adam(params=model.parameters(), lr=learning_rate)

    iteration = 0
    for epoch in range(1, n_epochs + 1):
        model.train()
        for batch in loader:
            model.zero_grad()
            dur_loss, prior_loss, diff_loss = model.compute_loss(batch["x"], batch["x_lengths"], batch["y"],
                                                                 batch["y_lengths"], out_size=params.out_size)
            loss = sum([dur_loss, prior_loss, diff_loss])
            loss.backward()
            enc_grad_norm = torch.nn.utils.clip_grad_norm_(model.encoder.parameters(), max_norm=1)
            dec_grad_norm = torch.nn.utils.clip_grad_norm_(model.decoder.parameters(), max_norm=1)
            optimizer.step()
            iteration += 1
