from yacs.config import CfgNode as CN

_C = CN()
_C.DATA = CN()
_C.DATA.BATCH_SIZE = 128
_C.MODEL = CN()
_C.MODEL.TYPE = "swin"
_C.TRAIN = CN()
_C.TRAIN.START_EPOCH = 0
_C.TRAIN.EPOCHS = 300
_C.TRAIN.WARMUP_EPOCHS = 20
_C.TRAIN.WEIGHT_DECAY = 0.05
_C.TRAIN.BASE_LR = 5e-4
_C.TRAIN.WARMUP_LR = 5e-7
_C.TRAIN.MIN_LR = 5e-6
_C.TRAIN.CLIP_GRAD = 5.0
# could be overwritten by command line argument
_C.TRAIN.ACCUMULATION_STEPS = 0
_C.TRAIN.OPTIMIZER = CN()
_C.TRAIN.OPTIMIZER.NAME = "adamw"
_C.TRAIN.OPTIMIZER.EPS = 1e-8
_C.TRAIN.OPTIMIZER.BETAS = (0.9, 0.999)
_C.TRAIN.LAYER_DECAY = 1.0
# Mixed precision opt level, if O0, no amp is used
_C.AMP_OPT_LEVEL = ""


def get_config(args):
    config = _C.clone()
    config.defrost()
    if getattr(args, "accumulation_steps", None):
        config.TRAIN.ACCUMULATION_STEPS = args.accumulation_steps
    if getattr(args, "amp_opt_level", None):
        config.AMP_OPT_LEVEL = args.amp_opt_level
    config.freeze()
    return config
