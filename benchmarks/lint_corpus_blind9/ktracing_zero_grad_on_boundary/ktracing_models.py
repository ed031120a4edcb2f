import torch
import torch.nn as nn
from transformers.modeling_bert import BertConfig, BertEncoder


class TransfomerModel(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        cate_col_size = len(cfg.cate_cols)
        cont_col_size = len(cfg.cont_cols) + 1
        self.cate_emb = nn.Embedding(cfg.total_cate_size, cfg.emb_size, padding_idx=0)
        self.cate_proj = nn.Sequential(nn.Linear(cfg.emb_size * cate_col_size, cfg.hidden_size // 2), nn.LayerNorm(cfg.hidden_size // 2))
        self.cont_emb = nn.Sequential(nn.Linear(cont_col_size, cfg.hidden_size // 2), nn.LayerNorm(cfg.hidden_size // 2))
        self.position_embeddings = nn.Embedding(cfg.total_cate_size, cfg.hidden_size)
        self.config = BertConfig(hidden_size=cfg.hidden_size, num_hidden_layers=cfg.nlayers, num_attention_heads=cfg.nheads, intermediate_size=cfg.hidden_size)
        self.encoder = BertEncoder(self.config)
        self.reg_layer = nn.Sequential(nn.Linear(cfg.hidden_size, cfg.hidden_size), nn.LayerNorm(cfg.hidden_size), nn.ReLU(), nn.Linear(cfg.hidden_size, 1))


class LSTMModel(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cate_emb = nn.Embedding(cfg.total_cate_size, cfg.emb_size, padding_idx=0)
        self.encoder = nn.LSTM(cfg.hidden_size, cfg.hidden_size, cfg.nlayers, batch_first=True)


encoders = {"LSTM": LSTMModel, "TRANSFORMER": TransfomerModel}
