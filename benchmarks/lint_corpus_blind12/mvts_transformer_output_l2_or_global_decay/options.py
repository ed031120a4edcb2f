"""Paraphrase of src/options.py (gzerveas/mvts_transformer): the training options."""
import argparse


class Options:
    def __init__(self):
        self.parser = argparse.ArgumentParser(description="mvts transformer")
        self.parser.add_argument("--epochs", type=int, default=400)
        self.parser.add_argument("--optimizer", choices={"Adam", "AdamW", "RAdam"}, default="Adam")
        self.parser.add_argument("--lr", type=float, default=1e-3)
        self.parser.add_argument("--batch_size", type=int, default=64)
        self.parser.add_argument("--l2_reg", type=float, default=0, help="L2 weight regularization parameter")
        self.parser.add_argument("--global_reg", action="store_true",
                                 help="apply L2 to all weights instead of only the output layer")
        self.parser.add_argument("--normalization_layer", choices={"BatchNorm", "LayerNorm"}, default="BatchNorm")

    def parse(self):
        return vars(self.parser.parse_args())
