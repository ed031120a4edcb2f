from pytorch_lightning import Trainer

from model_lightning import LitGpt2Chatbot

if __name__ == "__main__":
    model = LitGpt2Chatbot()
    trainer = Trainer(max_epochs=3)
    trainer.fit(model, datamodule=DialogDataModule())
