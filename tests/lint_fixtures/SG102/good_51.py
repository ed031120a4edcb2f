"""The run_glue recipe over a model built outside the file, with the embeddings kept out of decay
by name as well: nothing that must not decay is decayed."""

from transformers import AdamW


def build_optimizer(args, model):
    no_decay = ["bias", "LayerNorm.weight", "embeddings"]
    grouped = [
        {"params": [p for n, p in model.named_parameters() if not any(nd in n for nd in no_decay)],
         "weight_decay": args.weight_decay},
        {"params": [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay)],
         "weight_decay": 0.0},
    ]
    return AdamW(grouped, lr=args.learning_rate)
