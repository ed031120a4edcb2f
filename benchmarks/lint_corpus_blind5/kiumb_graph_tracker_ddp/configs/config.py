from argparse import Namespace


def get_config():
    return Namespace(
        RANDOM_SEED=3407,
        DEVICE="cuda",
        EMABLE_AMP=True,
        BATCH_SIZE=2,
        MAXEPOCH=120,
        LR=1e-2,
        MOMENTUM=0.937,
        WEIGHT_DECAY=5e-4,
        GAMMA=0.98,
        MODEL_YAML_PATH="configs/yamlFamily/EdgeMode/NodeDiff.yaml",
    )
