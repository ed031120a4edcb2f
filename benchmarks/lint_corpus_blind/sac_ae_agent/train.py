import argparse

import torch

from sac_ae import SacAeAgent


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--domain_name", default="cheetah")
    parser.add_argument("--task_name", default="run")
    parser.add_argument("--batch_size", default=128, type=int)
    parser.add_argument("--hidden_dim", default=1024, type=int)
    parser.add_argument("--encoder_feature_dim", default=50, type=int)
    parser.add_argument("--encoder_lr", default=1e-3, type=float)
    parser.add_argument("--decoder_type", default="pixel", type=str)
    parser.add_argument("--decoder_lr", default=1e-3, type=float)
    parser.add_argument("--decoder_update_freq", default=1, type=int)
    parser.add_argument("--decoder_latent_lambda", default=1e-6, type=float)
    parser.add_argument("--decoder_weight_lambda", default=1e-7, type=float)
    parser.add_argument("--num_layers", default=4, type=int)
    parser.add_argument("--num_filters", default=32, type=int)
    return parser.parse_args()


def make_agent(obs_shape, action_shape, args, device):
    return SacAeAgent(
        obs_shape=obs_shape,
        action_shape=action_shape,
        device=device,
        hidden_dim=args.hidden_dim,
        encoder_feature_dim=args.encoder_feature_dim,
        encoder_lr=args.encoder_lr,
        decoder_type=args.decoder_type,
        decoder_lr=args.decoder_lr,
        decoder_update_freq=args.decoder_update_freq,
        decoder_latent_lambda=args.decoder_latent_lambda,
        decoder_weight_lambda=args.decoder_weight_lambda,
        num_layers=args.num_layers,
        num_filters=args.num_filters,
    )


def main():
    args = parse_args()
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    agent = make_agent((9, 84, 84), (6,), args, device)
    return agent


if __name__ == "__main__":
    main()
