import torch
import torch.nn.functional as F
from torch.utils.data import ConcatDataset, DataLoader
from transformers import AutoTokenizer

from orbit.callback import Forward
from orbit.dataset import SFTDataset
from orbit.engine import Engine
from orbit.model.motif.algorithm.a1 import A1Model


class SFTForward(Forward):
    def forward(self, engine, data, target):
        ids, mask = data["input_ids"], data["mask"]
        logits = engine.model(input_ids=ids).logits[..., :-1, :]
        loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), ids[..., 1:].reshape(-1), reduction="none")
        m = mask[..., 1:].reshape(-1)
        return (loss * m).sum() / (m.sum() + 1e-6)


def main():
    tokenizer = AutoTokenizer.from_pretrained("gpt2")
    model = A1Model(vocab_size=len(tokenizer), model_dim=512, num_layers=8, num_heads=8)
    data = ConcatDataset([SFTDataset(root_dir="data", tokenizer=tokenizer, config={"sft": {"user": "input", "model": "output"}})])
    loader = DataLoader(data, batch_size=4, shuffle=True)
    engine = Engine(
        model=model,
        optimizer=torch.optim.AdamW(model.parameters(), lr=1e-5),
        forward_step=SFTForward(),
        checkpoint_dir="checkpoints/sft_run",
        mixed_precision="no",
        grad_clip_norm=1.0,
    )
    engine.run(train_loader=loader, num_epochs=3)


if __name__ == "__main__":
    main()
