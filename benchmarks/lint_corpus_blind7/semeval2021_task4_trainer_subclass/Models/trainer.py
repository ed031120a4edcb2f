from transformers.optimization import AdamW, get_linear_schedule_with_warmup
from transformers.trainer import Trainer


class MyTrainer(Trainer):
    def __init__(self, *arg, **kwargs):
        super(MyTrainer, self).__init__(**kwargs)

    def create_optimizer_and_scheduler(self):
        if self.optimizer is None:
            no_decay = ["bias", "LayerNorm.weight"]
            grouped = [
                {
                    "params": [p for n, p in self.model.named_parameters() if not any(nd in n for nd in no_decay)],
                    "weight_decay": self.args.weight_decay,
                },
                {
                    "params": [p for n, p in self.model.named_parameters() if any(nd in n for nd in no_decay)],
                    "weight_decay": 0.0,
                },
            ]
            self.optimizer = AdamW(
                grouped,
                lr=self.args.learning_rate,
                betas=(self.args.adam_beta1, self.args.adam_beta2),
                eps=self.args.adam_epsilon,
            )
