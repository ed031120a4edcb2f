"""Paraphrase of opennre/encoder/base_encoder.py (thunlp/OpenNRE): word and position embeddings."""
import torch.nn as nn


class BaseEncoder(nn.Module):
    def __init__(self, token2id, max_length=128, hidden_size=230, word_size=50, position_size=5):
        super().__init__()
        self.num_token = len(token2id)
        self.word_embedding = nn.Embedding(self.num_token, word_size, padding_idx=0)
        self.pos1_embedding = nn.Embedding(2 * max_length + 1, position_size, padding_idx=0)
        self.pos2_embedding = nn.Embedding(2 * max_length + 1, position_size, padding_idx=0)


class CNNEncoder(BaseEncoder):
    def __init__(self, token2id, max_length=128, hidden_size=230, word_size=50, position_size=5):
        super().__init__(token2id, max_length, hidden_size, word_size, position_size)
        self.conv = nn.Conv1d(word_size + 2 * position_size, hidden_size, 3, padding=1)
