import argparse

from Formal import Formal

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", default=1e-4, type=float)
    parser.add_argument("--epochs", default=100, type=int)
    parser.add_argument("--batch", default=64, type=int)
    parser.add_argument("--sav", default="../checkpoints/")
    parsed = vars(parser.parse_args())
    network = Formal({"n_message_passing_steps": 5}, batch_size=parsed["batch"])
    network.optimize(parsed["sav"], parsed["epochs"], lr=parsed["lr"])
