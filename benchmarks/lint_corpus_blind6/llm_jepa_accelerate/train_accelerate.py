import torch
from accelerate import Accelerator

from config import STRATEGY_CONSTS
from src.builders.encoder_builder import encoder_builder
from src.encoders.target_encoders.ema_target_encoder import ema_target_encoder
from src.predictors.simple_predictor import SimplePredictor


def run_train_jepa():
    NUM_EPOCHS = 1
    GRADIENT_ACCUMULATION_STEPS = 4
    BASE_BATCH_SIZE = STRATEGY_CONSTS.get("BATCH_SIZE", 2)
    accelerator = Accelerator(mixed_precision="bf16", gradient_accumulation_steps=GRADIENT_ACCUMULATION_STEPS)
    context_encoder = encoder_builder(STRATEGY_CONSTS["CONTEXT_ENCODER"]).build(model_id=STRATEGY_CONSTS["CONTEXT_MODEL_ID"], config={"hidden_size": 768, "num_layers": 12})
    dataloader = STRATEGY_CONSTS["LOADER"](batch_size=BASE_BATCH_SIZE)
    predictor = SimplePredictor(hidden_dim=768)
    optimizer = torch.optim.AdamW(context_encoder.parameters(), lr=STRATEGY_CONSTS.get("LEARNING_RATE", 1e-4), weight_decay=0.01)
    predictor_optimizer = torch.optim.AdamW(predictor.parameters(), lr=STRATEGY_CONSTS.get("LEARNING_RATE", 1e-4), weight_decay=0.01)
    target_encoder = ema_target_encoder(context_encoder, STRATEGY_CONSTS["DEFAULT_EMA_DECAY"])
    context_encoder, predictor, optimizer, predictor_optimizer, dataloader = accelerator.prepare(
        context_encoder, predictor, optimizer, predictor_optimizer, dataloader
    )
    for epoch in range(NUM_EPOCHS):
        for batch_idx, batch in enumerate(dataloader):
            with accelerator.accumulate(context_encoder, predictor):
                context_repr = context_encoder(batch["context"])
                with torch.no_grad():
                    target_repr = target_encoder(batch["target"])
                loss = torch.nn.functional.smooth_l1_loss(predictor(context_repr, batch["mask"]), target_repr)
                if torch.isnan(loss) or torch.isinf(loss):
                    continue
                accelerator.backward(loss)
                optimizer.step()
                predictor_optimizer.step()
                optimizer.zero_grad()
                predictor_optimizer.zero_grad()
                if accelerator.sync_gradients:
                    target_encoder.update(accelerator.unwrap_model(context_encoder))


if __name__ == "__main__":
    run_train_jepa()
