import torch
import torch.nn as nn
from peft import LoraConfig, TaskType, get_peft_model
from transformers import BitsAndBytesConfig, LlamaForSequenceClassification, Trainer, TrainingArguments
from transformers import get_polynomial_decay_schedule_with_warmup


class CustomTrainer(Trainer):
    def __init__(self, *args, awp_lr=0, awp_eps=0, awp_start_epoch=0, **kwargs):
        super().__init__(*args, **kwargs)
        self.awp_lr = awp_lr
        self.awp_eps = awp_eps
        self.awp_start_epoch = awp_start_epoch

    def compute_loss(self, model, inputs, return_outputs=False):
        labels = inputs.pop("labels")
        outputs = model(**inputs)
        loss = nn.CrossEntropyLoss()(outputs.get("logits").view(-1, self.model.config.num_labels), labels.view(-1))
        return (loss, outputs) if return_outputs else loss

    def training_step(self, model, inputs):
        model.train()
        inputs = self._prepare_inputs(inputs)
        with self.compute_loss_context_manager():
            loss = self.compute_loss(model, inputs)
        if self.args.n_gpu > 1:
            loss = loss.mean()
        self.accelerator.backward(loss)
        return loss.detach() / self.args.gradient_accumulation_steps


def train(args, tokenized_dataset, tokenizer, collator):
    bnb_config = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_compute_dtype=torch.bfloat16)
    model = LlamaForSequenceClassification.from_pretrained(args.MODEL, num_labels=3, torch_dtype=torch.bfloat16, quantization_config=bnb_config)
    peft_config = LoraConfig(task_type=TaskType.SEQ_CLS, inference_mode=False, r=args.lora_r, lora_alpha=args.lora_alpha, lora_dropout=args.lora_dropout, target_modules=["q_proj", "v_proj"])
    model = get_peft_model(model, peft_config)
    training_args = TrainingArguments(
        output_dir="output",
        learning_rate=args.learning_rate,
        per_device_train_batch_size=args.per_device_train_batch_size,
        num_train_epochs=args.num_train_epochs,
        gradient_accumulation_steps=args.gradient_accumulation_steps,
        lr_scheduler_type="cosine",
        weight_decay=args.weight_decay,
        fp16=False,
    )
    optimizer = torch.optim.AdamW(model.parameters(), lr=training_args.learning_rate)
    scheduler = get_polynomial_decay_schedule_with_warmup(
        optimizer,
        num_warmup_steps=int(args.warmup_ratio * training_args.num_train_epochs * int(len(tokenized_dataset) / training_args.per_device_train_batch_size / training_args.gradient_accumulation_steps)),
        num_training_steps=training_args.num_train_epochs * int(len(tokenized_dataset) / training_args.per_device_train_batch_size / training_args.gradient_accumulation_steps),
        power=1.0,
        lr_end=args.lr_end,
    )
    trainer = CustomTrainer(model=model, args=training_args, tokenizer=tokenizer, data_collator=collator, train_dataset=tokenized_dataset, optimizers=(optimizer, scheduler), awp_lr=args.awp_lr)
    trainer.train()
