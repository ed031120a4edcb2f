import argparse


def parse_args_train():
    parser = argparse.ArgumentParser()
    parser.add_argument("--accumulation_steps", type=int, default=1, required=False)
    parser.add_argument("--adam_epsilon", type=float, default=1e-8, required=False)
    parser.add_argument("--epochs", type=int, default=1, required=False)
    parser.add_argument("--fp16", dest="fp16", action="store_true")
    parser.add_argument("--learning_rate", type=float, default=3e-5, required=False)
    parser.add_argument("--model", type=str, required=True)
    parser.add_argument("--scheduler", type=str, default="cosine", required=False)
    parser.add_argument("--train_batch_size", type=int, default=4, required=False)
    parser.add_argument("--warmup", type=float, default=0.05, required=False)
    parser.add_argument("--weight_decay", type=float, default=0.0, required=False)
    return parser.parse_args()
