import argparse

from agent import Agent


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--decoder_lr", default=1e-3, type=float)
    parser.add_argument("--decoder_weight_lambda", default=1e-7, type=float)
    return parser.parse_args()


def main():
    args = parse_args()
    return Agent(50, 9, decoder_lr=args.decoder_lr, decoder_weight_lambda=args.decoder_weight_lambda)


if __name__ == "__main__":
    main()
