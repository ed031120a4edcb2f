import argparse


def main(args):
    import torch
    from utils import StructureDataset, StructureLoader
    from model_utils import featurize, loss_smoothed, get_std_opt, ProteinMPNN

    scaler = torch.cuda.amp.GradScaler()
    device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")

    model = ProteinMPNN(node_features=args.hidden_dim, edge_features=args.hidden_dim, hidden_dim=args.hidden_dim,
                        num_encoder_layers=args.num_encoder_layers, num_decoder_layers=args.num_encoder_layers,
                        k_neighbors=args.num_neighbors, dropout=args.dropout, augment_eps=args.backbone_noise)
    model.to(device)
    total_step = 0
    optimizer = get_std_opt(model.parameters(), args.hidden_dim, total_step)
    loader_train = StructureLoader(StructureDataset(args.path_for_training_data), batch_size=args.batch_size)

    for e in range(args.num_epochs):
        model.train()
        for _, batch in enumerate(loader_train):
            X, S, mask, lengths, chain_M, residue_idx, mask_self, chain_encoding_all = featurize(batch, device)
            optimizer.zero_grad()
            mask_for_loss = mask * chain_M

            if args.mixed_precision:
                with torch.cuda.amp.autocast():
                    log_probs = model(X, S, mask, chain_M, residue_idx, chain_encoding_all)
                    _, loss_av_smoothed = loss_smoothed(S, log_probs, mask_for_loss)

                scaler.scale(loss_av_smoothed).backward()

                if args.gradient_norm > 0.0:
                    total_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), args.gradient_norm)

                scaler.step(optimizer)
                scaler.update()
            else:
                log_probs = model(X, S, mask, chain_M, residue_idx, chain_encoding_all)
                _, loss_av_smoothed = loss_smoothed(S, log_probs, mask_for_loss)
                loss_av_smoothed.backward()

                if args.gradient_norm > 0.0:
                    total_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), args.gradient_norm)

                optimizer.step()
            total_step += 1


if __name__ == "__main__":
    argparser = argparse.ArgumentParser(formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    argparser.add_argument("--path_for_training_data", type=str, default="my_path/pdb_2021aug02")
    argparser.add_argument("--num_epochs", type=int, default=200)
    argparser.add_argument("--batch_size", type=int, default=10000)
    argparser.add_argument("--hidden_dim", type=int, default=128)
    argparser.add_argument("--num_encoder_layers", type=int, default=3)
    argparser.add_argument("--num_neighbors", type=int, default=48)
    argparser.add_argument("--dropout", type=float, default=0.1)
    argparser.add_argument("--backbone_noise", type=float, default=0.2)
    argparser.add_argument("--gradient_norm", type=float, default=-1.0)
    argparser.add_argument("--mixed_precision", type=bool, default=True)
    args = argparser.parse_args()
    main(args)
