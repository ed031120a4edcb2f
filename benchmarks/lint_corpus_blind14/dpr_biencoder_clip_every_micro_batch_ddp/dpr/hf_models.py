from torch import nn
from transformers import AdamW, BertModel


class HFBertEncoder(BertModel):
    def __init__(self, config, project_dim=0):
        BertModel.__init__(self, config)
        self.encode_proj = nn.Linear(config.hidden_size, project_dim) if project_dim != 0 else None


def get_optimizer(model, learning_rate=1e-5, adam_eps=1e-8, weight_decay=0.0):
    groups = get_hf_model_param_grouping(model, weight_decay)
    return get_optimizer_grouped(groups, learning_rate, adam_eps)


def get_hf_model_param_grouping(model, weight_decay=0.0):
    no_decay = ["bias", "LayerNorm.weight"]
    return [
        {"params": [p for n, p in model.named_parameters() if not any(nd in n for nd in no_decay)],
         "weight_decay": weight_decay},
        {"params": [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay)],
         "weight_decay": 0.0},
    ]


def get_optimizer_grouped(groups, learning_rate=1e-5, adam_eps=1e-8):
    optimizer = AdamW(groups, lr=learning_rate, eps=adam_eps)
    return optimizer


def get_bert_biencoder_components(cfg, biencoder_cls):
    question_encoder = HFBertEncoder.from_pretrained(cfg.encoder.pretrained_model_cfg)
    ctx_encoder = HFBertEncoder.from_pretrained(cfg.encoder.pretrained_model_cfg)
    biencoder = biencoder_cls(question_encoder, ctx_encoder)
    optimizer = get_optimizer(biencoder, learning_rate=cfg.train.learning_rate, adam_eps=cfg.train.adam_eps,
                              weight_decay=cfg.train.weight_decay)
    return biencoder, optimizer
