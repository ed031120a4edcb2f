from train_eval.init_train_env import init_training_env
from train_eval.train import Train


def run():
    Train(*init_training_env()).train()


run()
