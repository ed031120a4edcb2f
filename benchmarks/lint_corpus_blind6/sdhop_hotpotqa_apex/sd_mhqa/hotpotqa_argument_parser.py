import argparse


def boolean_string(s):
    if s.lower() not in {"false", "true"}:
        raise ValueError("Not a valid boolean string")
    return s.lower() == "true"


def default_train_parser():
    parser = argparse.ArgumentParser()
    parser.add_argument("--config_file", type=str, default=None)
    parser.add_argument("--encoder_name_or_path", default="google/electra-base-discriminator", type=str)
    parser.add_argument("--per_gpu_train_batch_size", default=4, type=int)
    parser.add_argument("--fp16", type=boolean_string, default="false")
    parser.add_argument("--fp16_opt_level", type=str, default="O1")
    parser.add_argument("--local_rank", type=int, default=-1)
    parser.add_argument("--num_train_epochs", default=10.0, type=float)
    parser.add_argument("--gradient_accumulation_steps", type=int, default=1)
    parser.add_argument("--learning_rate", default=1e-4, type=float)
    parser.add_argument("--weight_decay", default=0.0, type=float)
    parser.add_argument("--max_grad_norm", default=1.0, type=float)
    parser.add_argument("--max_steps", default=-1, type=int)
    parser.add_argument("--optimizer", type=str, default="AdamW", choices=["Adam", "AdamW", "RecAdam"])
    return parser
