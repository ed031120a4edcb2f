from torch.utils.data import IterableDataset


class OpenwebtextDataset(IterableDataset):
    VOCABULARY_SIZE = 50257

    def __init__(self, train, block_size):
        self.train = train
        self.block_size = block_size

    def __iter__(self):
        return iter(())
