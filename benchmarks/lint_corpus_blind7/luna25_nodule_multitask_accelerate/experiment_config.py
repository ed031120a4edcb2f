class Configuration(object):
    def __init__(self) -> None:
        self.MODE = "3D"
        self.BATCH_SIZE = 32
        self.EPOCHS = 60
        self.LEARNING_RATE = 1e-4
        self.WEIGHT_DECAY = 5e-4
        self.SCHEDULER = "step_custom"
        self.DOWNSTEPS = [60, 80]
        self.EMA_RATE = 0.998
        self.AUX_LOSS_WEIGHT = 0.5


config = Configuration()
