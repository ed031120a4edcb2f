import argparse

import lib.medzoo as medzoo


def main():
    args = get_arguments()
    model, optimizer = medzoo.create_model(args)
    return model, optimizer


def get_arguments():
    parser = argparse.ArgumentParser()
    parser.add_argument("--classes", type=int, default=4)
    parser.add_argument("--lr", default=1e-2, type=float)
    parser.add_argument("--model", type=str, default="HYPERDENSENET")
    parser.add_argument("--opt", type=str, default="sgd", choices=("sgd", "adam", "rmsprop"))
    return parser.parse_args()


if __name__ == "__main__":
    main()
