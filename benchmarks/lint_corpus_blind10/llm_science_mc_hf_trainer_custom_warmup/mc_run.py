from transformers import Trainer, TrainingArguments, get_constant_schedule_with_warmup

from mc_data import MultipleChoiceCollator, load_data
from mc_model import get_model, get_tokenizer


def train(config):
    if config.fp16 and config.bf16:
        config.fp16 = False
    model = get_model(config)
    tokenizer = get_tokenizer(config)
    train_dataset, valid_dataset = load_data(config)

    args = TrainingArguments(
        output_dir=config.checkpoint_dir + "run",
        learning_rate=config.lr,
        per_device_train_batch_size=config.batch_size,
        num_train_epochs=config.epochs,
        bf16=config.bf16,
        fp16=config.fp16,
        gradient_accumulation_steps=config.grad_acc_steps,
        save_strategy="epoch",
        remove_unused_columns=False,
    )
    trainer = Trainer(model=model, args=args, tokenizer=tokenizer,
                      data_collator=MultipleChoiceCollator(tokenizer), train_dataset=train_dataset)

    trainer.create_optimizer()
    num_steps = (len(train_dataset) * config.epochs) // (config.grad_acc_steps * config.batch_size)
    trainer.lr_scheduler = get_constant_schedule_with_warmup(
        optimizer=trainer.optimizer,
        num_warmup_steps=int(num_steps * config.warmup_ratio),
    )
    trainer.train()
    return trainer
