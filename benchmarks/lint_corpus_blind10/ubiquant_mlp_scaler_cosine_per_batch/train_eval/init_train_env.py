import torch
import torch.optim as optim
from config.config import BATCH_SIZE, EPOCHS, LEARNING_RATE, NUM_WORKERS, TRAINING_PATH
from Model.Models import Model


def init_training_env():
    model = Model()
    optimizer = optim.Adam(model.parameters(), lr=LEARNING_RATE)
    criterion = torch.nn.MSELoss()
    scaler = torch.cuda.amp.GradScaler()
    return model, optimizer, criterion, scaler, BATCH_SIZE, TRAINING_PATH, EPOCHS, NUM_WORKERS
