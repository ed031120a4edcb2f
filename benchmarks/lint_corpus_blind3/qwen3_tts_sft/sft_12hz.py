import argparse

import torch
from accelerate import Accelerator
from torch.optim import AdamW
from torch.utils.data import DataLoader

from dataset import TTSDataset
from qwen_tts.inference.qwen3_tts_model import Qwen3TTSModel


def train():
    parser = argparse.ArgumentParser()
    parser.add_argument("--init_model_path", type=str, default="Qwen/Qwen3-TTS-12Hz-1.7B-Base")
    parser.add_argument("--train_jsonl", type=str, required=True)
    parser.add_argument("--batch_size", type=int, default=2)
    parser.add_argument("--lr", type=float, default=2e-5)
    parser.add_argument("--num_epochs", type=int, default=3)
    args = parser.parse_args()

    accelerator = Accelerator(gradient_accumulation_steps=4, mixed_precision="bf16")
    tts = Qwen3TTSModel.from_pretrained(args.init_model_path, torch_dtype=torch.bfloat16)
    dataset = TTSDataset(args.train_jsonl, tts.processor)
    train_dataloader = DataLoader(dataset, batch_size=args.batch_size, shuffle=True, collate_fn=dataset.collate_fn)

    optimizer = AdamW(tts.model.parameters(), lr=args.lr, weight_decay=0.01)
    model, optimizer, train_dataloader = accelerator.prepare(tts.model, optimizer, train_dataloader)

    model.train()
    for epoch in range(args.num_epochs):
        for step, batch in enumerate(train_dataloader):
            with accelerator.accumulate(model):
                outputs = model.talker(inputs_embeds=batch["embeds"], labels=batch["codec_0_labels"])
                sub_logits, sub_loss = model.talker.forward_sub_talker_finetune(batch["codec_ids"], outputs.hidden_states)
                loss = outputs.loss + 0.3 * sub_loss

                accelerator.backward(loss)

                if accelerator.sync_gradients:
                    accelerator.clip_grad_norm_(model.parameters(), 1.0)

                optimizer.step()
                optimizer.zero_grad()


if __name__ == "__main__":
    train()
