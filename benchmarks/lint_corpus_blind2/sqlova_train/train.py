import argparse

import torch

from sqlova.model.nl2sql.wikisql_models import Loss_sw_se, Seq2SQL_v1
from sqlova.utils.utils_wikisql import get_fields, get_g, get_wemb_bert


def construct_hyper_param(parser):
    parser.add_argument("--tepoch", default=200, type=int)
    parser.add_argument("--bS", default=32, type=int, help="Batch size")
    parser.add_argument(
        "--accumulate_gradients",
        default=1,
        type=int,
        help="The number of accumulation of backpropagation to effectivly increase the batch size.",
    )
    parser.add_argument("--fine_tune", default=False, action="store_true")
    parser.add_argument("--lr_bert", default=1e-5, type=float)
    parser.add_argument("--lr", default=1e-3, type=float)
    parser.add_argument("--max_seq_length", default=222, type=int)
    parser.add_argument("--num_target_layers", default=2, type=int)
    return parser.parse_args()


def get_opt(args, model, model_bert, fine_tune):
    opt = torch.optim.Adam(filter(lambda p: p.requires_grad, model.parameters()), lr=args.lr, weight_decay=0)
    if fine_tune:
        opt_bert = torch.optim.Adam(
            filter(lambda p: p.requires_grad, model_bert.parameters()), lr=args.lr_bert, weight_decay=0
        )
    else:
        opt_bert = None
    return opt, opt_bert


def train(train_loader, train_table, model, model_bert, opt, bert_config, tokenizer, max_seq_length,
          num_target_layers, accumulate_gradients=1, opt_bert=None):
    model.train()
    model_bert.train()
    ave_loss = 0
    for iB, t in enumerate(train_loader):
        nlu, nlu_t, sql_i, hds = get_fields(t, train_table)
        g_sc, g_sa, g_wn, g_wc, g_wo, g_wv = get_g(sql_i)
        wemb_n, wemb_h, l_n, l_hpu, l_hs = get_wemb_bert(bert_config, model_bert, tokenizer, nlu_t, hds, max_seq_length)
        s_sc, s_sa, s_wn, s_wc, s_wo, s_wv = model(wemb_n, l_n, wemb_h, l_hpu, l_hs, g_sc=g_sc, g_sa=g_sa, g_wn=g_wn)

        # sum of the six sub-task cross-entropies, each a batch mean
        loss = Loss_sw_se(s_sc, s_sa, s_wn, s_wc, s_wo, s_wv, g_sc, g_sa, g_wn, g_wc, g_wo, g_wv)

        if iB % accumulate_gradients == 0:
            # at start, perform zero_grad
            opt.zero_grad()
            if opt_bert:
                opt_bert.zero_grad()
            loss.backward()
            if accumulate_gradients == 1:
                opt.step()
                if opt_bert:
                    opt_bert.step()
        elif iB % accumulate_gradients == (accumulate_gradients - 1):
            # at the final, take step with accumulated gradient
            loss.backward()
            opt.step()
            if opt_bert:
                opt_bert.step()
        else:
            # at intermediate stage, just accumulates the gradients
            loss.backward()
        ave_loss += loss.item()
    return ave_loss


if __name__ == "__main__":
    args = construct_hyper_param(argparse.ArgumentParser())
    model, model_bert, tokenizer, bert_config = Seq2SQL_v1.build(args)
    opt, opt_bert = get_opt(args, model, model_bert, args.fine_tune)
    train_loader, train_table = Seq2SQL_v1.data(args)
    for epoch in range(args.tepoch):
        train(train_loader, train_table, model, model_bert, opt, bert_config, tokenizer, args.max_seq_length,
              args.num_target_layers, accumulate_gradients=args.accumulate_gradients, opt_bert=opt_bert)
