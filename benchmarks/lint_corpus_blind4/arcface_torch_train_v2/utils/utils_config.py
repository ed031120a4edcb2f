import importlib
import os.path as osp


def get_config(config_file):
    assert config_file.startswith("configs/")
    temp_config_name = osp.basename(config_file)
    temp_module_name = osp.splitext(temp_config_name)[0]
    config = importlib.import_module("configs.base").config
    job_cfg = importlib.import_module("configs.%s" % temp_module_name).config
    config.update(job_cfg)
    return config
