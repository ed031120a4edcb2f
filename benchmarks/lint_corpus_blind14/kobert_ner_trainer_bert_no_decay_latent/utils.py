from transformers import BertConfig, BertForTokenClassification, DistilBertConfig, DistilBertForTokenClassification

MODEL_CLASSES = {
    "kobert": (BertConfig, BertForTokenClassification),
    "distilkobert": (DistilBertConfig, DistilBertForTokenClassification),
}
