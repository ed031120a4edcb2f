import pytorch_lightning as pl
from transformers import AdamW, GPT2LMHeadModel


class LitGpt2Chatbot(pl.LightningModule):
    def __init__(self):
        super().__init__()
        self.model = GPT2LMHeadModel.from_pretrained("gpt2")

    def training_step(self, batch, batch_idx):
        input_ids, token_type_ids, labels = batch
        loss = self.model(input_ids=input_ids, labels=labels).loss
        self.log("train_loss", loss)
        return loss

    def configure_optimizers(self):
        optimizer = AdamW(self.model.parameters(), lr=0.01, correct_bias=True)
        return optimizer
