import torch
from transformers import Seq2SeqTrainer, Seq2SeqTrainingArguments, WhisperForConditionalGeneration, WhisperProcessor

MODEL_NAME = "kotoba-tech/kotoba-whisper-v1.0"
SEED = 42
MODEL_DIR = "./whisper_finetune_exp002"


class SpeechDataset(torch.utils.data.Dataset):
    def __init__(self, rows, processor):
        self.rows = rows
        self.processor = processor

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, i):
        audio, sentence = self.rows[i]
        feats = self.processor.feature_extractor(audio, sampling_rate=16000).input_features[0]
        return {"input_features": feats, "labels": self.processor.tokenizer(sentence).input_ids}


def build_trainer(rows, collator):
    model = WhisperForConditionalGeneration.from_pretrained(MODEL_NAME)
    processor = WhisperProcessor.from_pretrained(MODEL_NAME, language="ja", task="transcribe")
    training_args = Seq2SeqTrainingArguments(
        output_dir=MODEL_DIR,
        per_device_train_batch_size=16,
        gradient_accumulation_steps=8,
        learning_rate=1e-5,
        warmup_ratio=0.03,
        num_train_epochs=3,
        seed=SEED,
        gradient_checkpointing=True,
        fp16=True,
        lr_scheduler_type="cosine",
        optim="adamw_torch",
        weight_decay=0.0,
    )
    model.config.use_cache = False
    return Seq2SeqTrainer(args=training_args, model=model, train_dataset=SpeechDataset(rows, processor), data_collator=collator)
