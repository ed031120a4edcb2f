class nnUNetTrainer(object):
    def __init__(self, plans, configuration, fold, dataset_json, unpack_dataset=True, device="cuda"):
        self.initial_lr = 1e-2
        self.weight_decay = 3e-5
        self.num_epochs = 1000
        self.network = None
