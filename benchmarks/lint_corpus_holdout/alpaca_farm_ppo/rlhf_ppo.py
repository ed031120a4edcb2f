import accelerate
import transformers

from rl_trainer import PPOTrainer
from training_args import TrainingArguments


def main():
    parser = transformers.HfArgumentParser(TrainingArguments)
    (training_args,) = parser.parse_args_into_dataclasses()
    accelerator = accelerate.Accelerator(
        gradient_accumulation_steps=training_args.gradient_accumulation_steps,
        log_with=["wandb"],
    )
    trainer = PPOTrainer(args=training_args, accelerator=accelerator, **load_everything(training_args))
    trainer.train()


def load_everything(training_args):
    raise NotImplementedError


if __name__ == "__main__":
    main()
