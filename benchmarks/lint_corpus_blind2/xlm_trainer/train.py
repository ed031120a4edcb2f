import argparse

from src.trainer import Trainer


def get_parser():
    parser = argparse.ArgumentParser(description="Language transfer")
    parser.add_argument("--fp16", type=bool, default=False, help="Run model with float16")
    parser.add_argument("--amp", type=int, default=-1, help="Use AMP wrapper for float16 / distributed / gradient accumulation. Level of optimization. -1 to disable.")
    parser.add_argument("--optimizer", type=str, default="adam,lr=0.0001")
    parser.add_argument("--clip_grad_norm", type=float, default=5, help="Clip gradients norm (0 to disable)")
    parser.add_argument("--epoch_size", type=int, default=100000)
    parser.add_argument("--max_epoch", type=int, default=100000)
    parser.add_argument("--accumulate_gradients", type=int, default=1, help="Accumulate model gradients over N iterations (N times larger batch sizes)")
    parser.add_argument("--lambda_mlm", type=float, default=1)
    return parser


def main(params, data):
    trainer = Trainer(data, params)
    for _ in range(params.max_epoch):
        trainer.n_sentences = 0
        while trainer.n_sentences < trainer.epoch_size:
            for lang1, lang2 in params.mlm_steps:
                trainer.mlm_step(lang1, lang2, params.lambda_mlm)
            trainer.iter()


if __name__ == "__main__":
    main(get_parser().parse_args(), data=None)
