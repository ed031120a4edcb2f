import sys

from accelerate import Accelerator

from config import ConfigurationManager
from train import GroundingDINOTrainer, setup_data_loaders, setup_model


def train_accelerate(config_path: str) -> None:
    accelerator = Accelerator()
    data_config, model_config, training_config = ConfigurationManager.load_config(config_path)
    model = setup_model(model_config, training_config.use_lora)
    train_loader, val_loader = setup_data_loaders(data_config)
    steps_per_epoch = len(train_loader.dataset) // data_config.batch_size
    trainer = GroundingDINOTrainer(
        model,
        num_steps_per_epoch=steps_per_epoch,
        num_epochs=training_config.num_epochs,
        warmup_epochs=training_config.warmup_epochs,
        learning_rate=training_config.learning_rate,
        use_lora=training_config.use_lora,
        use_gradient_clipping=training_config.use_gradient_clipping,
        max_grad_norm=training_config.max_grad_norm,
    )
    model, optimizer, train_loader, val_loader = accelerator.prepare(trainer.model, trainer.optimizer, train_loader, val_loader)
    trainer.model = model
    trainer.optimizer = optimizer
    for epoch in range(training_config.num_epochs):
        for batch_idx, batch in enumerate(train_loader):
            trainer.model.train()
            trainer.optimizer.zero_grad()
            images, targets, captions = trainer.prepare_batch(batch)
            outputs = trainer.model(images, captions=captions)
            loss_dict = trainer.criterion(outputs, targets, captions=captions, tokenizer=trainer.model.tokenizer)
            total_loss = sum(loss_dict[k] * trainer.weights_dict_loss[k] for k in loss_dict if k in trainer.weights_dict_loss)
            accelerator.backward(total_loss)
            if training_config.use_gradient_clipping:
                accelerator.clip_grad_norm_(trainer.model.parameters(), training_config.max_grad_norm)
            trainer.optimizer.step()
            if trainer.scheduler is not None:
                trainer.scheduler.step()


if __name__ == "__main__":
    train_accelerate(sys.argv[1] if len(sys.argv) > 1 else "configs/train_config.yaml")
