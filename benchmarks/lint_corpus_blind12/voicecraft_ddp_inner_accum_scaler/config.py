"""Paraphrase of config.py (jasonppy/VoiceCraft): the training arguments."""
import argparse


def MyParser():
    parser = argparse.ArgumentParser()
    parser.add_argument("--precision", type=str, default="float16")
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--batch_size", type=int, default=100, help="effective batch size, accumulation included")
    parser.add_argument("--weight_decay", type=float, default=1e-2)
    parser.add_argument("--warmup_fraction", type=float, default=0.01)
    parser.add_argument("--num_epochs", type=int, default=10)
    parser.add_argument("--num_steps", type=int, default=None)
    parser.add_argument("--gradient_accumulation_steps", type=int, default=1)
    parser.add_argument("--gradient_clip_val", type=float, default=1.0)
    parser.add_argument("--optimizer_name", type=str, default="AdamW")
    return parser
