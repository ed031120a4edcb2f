"""Weight-decay shapes of round 6 (issue 13): real projects' ways of reaching SG101-SG103.

Each test writes a small project (paraphrased shapes, not copies) and lints it as a tree: the bad
shape fires where the corpus conventions put the finding, the fixed shape stays silent.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from stepguard.findings import Finding
from stepguard.lint import lint_paths
from stepguard.lint._cli import main as cli_main


def project(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    return root


def found(root: Path, code: str) -> list[Finding]:
    return [f for f in lint_paths([root]).findings if f.code == code]


def where(findings: list[Finding]) -> list[tuple[str, int]]:
    return [(Path(f.path or "").name, f.line) for f in findings]


# -- LoRA through a helper of another file ---------------------------------------------------

_LORA_HELPER = """
    from peft import LoraConfig, get_peft_model


    def get_lora_model(model, configs):
        config = LoraConfig(r=configs["rank"], lora_alpha=32, bias=BIAS, target_modules=["q", "v"])
        return get_peft_model(model, config)
"""

_LORA_TRAIN = """
    import torch
    from transformers import AutoModelForCausalLM

    from lora_utils import get_lora_model


    def main(args):
        model = AutoModelForCausalLM.from_pretrained("gpt2")
        peft_model = get_lora_model(model, {"rank": 8})
        optimizer = torch.optim.AdamW(peft_model.parameters(), lr=1e-4, weight_decay=0.05)
        return optimizer
"""


def test_adamw_over_a_peft_model_built_by_a_helper_of_another_file_is_silent(
    tmp_path: Path,
) -> None:
    # peft freezes the base model; bias="none" leaves only the LoRA A/B matrices trainable.
    quiet = project(
        tmp_path / "quiet",
        {"lora_utils.py": _LORA_HELPER.replace("BIAS", '"none"'), "train.py": _LORA_TRAIN},
    )
    assert found(quiet, "SG102") == []
    # bias="all" trains every bias of the base model: decayed at 0.05.
    loud = project(
        tmp_path / "loud",
        {"lora_utils.py": _LORA_HELPER.replace("BIAS", '"all"'), "train.py": _LORA_TRAIN},
    )
    assert where(found(loud, "SG102")) == [("train.py", 10)]
    # Without the helper (the whole model trains), the same optimizer is SG102.
    plain = project(
        tmp_path / "plain",
        {
            "train.py": _LORA_TRAIN.replace('get_lora_model(model, {"rank": 8})', "model").replace(
                "from lora_utils import get_lora_model\n", ""
            )
        },
    )
    assert where(found(plain, "SG102")) == [("train.py", 9)]


# -- weight decay through **kwargs read from a config file of the tree -----------------------

_SPEC_CONFIG = """
    model:
      name: srnet
    optimizer:
      name: adamw
      args:
        lr: 1.0e-4
        weight_decay: WD
    epochs: 10
"""

_SPEC_UTILS = """
    from torch.optim import AdamW


    def make_optimizer(model, spec):
        Optimizer = {"adamw": AdamW}[spec["name"]]
        other, basis = [], []
        for n, p in model.named_parameters():
            if TEST:
                basis.append(p)
            else:
                other.append(p)
        return Optimizer([{"params": other}, {"params": basis, "weight_decay": 0}], **spec["args"])
"""

_SPEC_TRAIN = """
    import yaml

    import models
    import utils


    def main(path):
        config = yaml.safe_load(open(path))
        model = models.make(config["model"])
        optimizer = utils.make_optimizer(model, config["optimizer"])
        return model, optimizer
"""


def _spec_project(root: Path, wd: str = "1.e-5", test: str = '"basis" in n') -> Path:
    return project(
        root,
        {
            "configs/train.yaml": _SPEC_CONFIG.replace("WD", wd),
            "utils.py": _SPEC_UTILS.replace("TEST", test),
            "train.py": _SPEC_TRAIN,
        },
    )


def test_decay_spread_from_a_yaml_config_over_a_split_by_an_unrelated_word(tmp_path: Path) -> None:
    # The group kept out of decay is the one "basis" picks; every bias of the model decays at
    # the config's 1e-5, passed as **spec["args"].
    loud = found(_spec_project(tmp_path / "loud"), "SG102")
    assert where(loud) == [("utils.py", 12)]
    assert loud[0].data["activity"] == "active"
    assert loud[0].data["activity_reason"] == (
        "weight_decay=1e-05 from " + str(tmp_path / "loud" / "configs" / "train.yaml") + ":7"
    )
    assert "['basis']" in loud[0].message
    # The config ships weight_decay 0: the same finding, latent (the corpus convention).
    zero = found(_spec_project(tmp_path / "zero", wd="0.0"), "SG102")
    assert [f.data["activity"] for f in zero] == ["latent"]
    # The exempt side picked by the no-decay kinds (biases, 1-D gains) is the right split.
    good = _spec_project(tmp_path / "good", test='p.ndim < 2 or "bias" in n')
    assert found(good, "SG102") == []


def test_spread_without_a_config_key_stays_unread(tmp_path: Path) -> None:
    # No config of the tree sets `args.weight_decay`: the spread is not read, nothing is guessed.
    root = _spec_project(tmp_path / "nokey")
    config = root / "configs" / "train.yaml"
    config.write_text(config.read_text().replace("weight_decay", "momentum"))
    assert found(root, "SG102") == []
    assert found(root, "SG101") == []


def test_spread_of_a_name_bound_to_a_config_read(tmp_path: Path) -> None:
    root = project(
        tmp_path / "named",
        {
            "config.json": '{"optimizer": {"type": "Adam", "args": {"lr": 0.01, "weight_decay": 1e-4}}}',
            "train.py": """
                import json

                import torch


                def main(model, path="config.json"):
                    config = json.load(open(path))
                    opt_args = config["optimizer"]["args"]
                    optimizer = torch.optim.Adam(model.parameters(), **opt_args)
                    return optimizer
            """,
        },
    )
    sg101 = found(root, "SG101")
    assert where(sg101) == [("train.py", 9)]
    assert sg101[0].data["activity"] == "active"
    assert sg101[0].data["activity_reason"].startswith("weight_decay=0.0001 from ")
    assert where(found(root, "SG102")) == [("train.py", 9)]


# -- an optimizer instantiated by a generic helper from a config section ----------------------

_INSTANCE_CONFIG = """{
    "arch": {"type": "SegNet", "args": {"backbone": "resnet50"}},
    "optimizer": {"type": "TYPE", "args": {"lr": 0.01, "weight_decay": 1e-4, "momentum": 0.9}},
    "trainer": {"epochs": 80}
}
"""

_INSTANCE_TRAIN = """
    import json

    import torch

    import models


    def get_instance(module, name, config, *args):
        return getattr(module, config[name]["type"])(*args, **config[name]["args"])


    def main(config):
        model = get_instance(models, "arch", config)
        params = filter(lambda p: p.requires_grad, model.parameters())
        optimizer = get_instance(torch.optim, "optimizer", config, params)
        return optimizer


    if __name__ == "__main__":
        main(json.load(open("config.json")))
"""


def test_optimizer_instantiated_from_a_config_section_by_a_helper(tmp_path: Path) -> None:
    # getattr(torch.optim, config["optimizer"]["type"]) with **config["optimizer"]["args"]:
    # SGD over every parameter at 1e-4 from config.json.
    sgd = project(
        tmp_path / "sgd",
        {"config.json": _INSTANCE_CONFIG.replace("TYPE", "SGD"), "train.py": _INSTANCE_TRAIN},
    )
    sg102 = found(sgd, "SG102")
    assert where(sg102) == [("train.py", 15)]
    assert sg102[0].data["activity"] == "active"
    assert sg102[0].data["activity_reason"] == (
        f"weight_decay=0.0001 from {tmp_path / 'sgd' / 'config.json'}:3"
    )
    assert found(sgd, "SG101") == []  # SGD's L2 is its decay
    # The same helper handed "Adam": coupled L2 too.
    adam = project(
        tmp_path / "adam",
        {"config.json": _INSTANCE_CONFIG.replace("TYPE", "Adam"), "train.py": _INSTANCE_TRAIN},
    )
    sg101 = found(adam, "SG101")
    assert where(sg101) == [("train.py", 15)]
    assert "`get_instance(...)` instantiates torch.optim.Adam" in sg101[0].message
    # No fix touches the helper call: the construction the fix would rewrite is in the config.
    before = (tmp_path / "adam" / "train.py").read_text()
    assert cli_main(["lint", "--fix", str(tmp_path / "adam")]) != 0  # findings remain
    assert (tmp_path / "adam" / "train.py").read_text() == before
    # The model built by the same helper (module `models`) is no optimizer: one finding per rule.
    assert len(found(adam, "SG102")) == 1


def test_config_instantiation_needs_one_named_class_and_a_visible_helper(tmp_path: Path) -> None:
    # Two configs naming different classes: which one runs is not known, nothing is claimed.
    two = project(
        tmp_path / "two",
        {
            "config.json": _INSTANCE_CONFIG.replace("TYPE", "SGD"),
            "configs/adam.json": _INSTANCE_CONFIG.replace("TYPE", "Adam"),
            "train.py": _INSTANCE_TRAIN,
        },
    )
    assert found(two, "SG101") == found(two, "SG102") == []
    # The helper imported from outside the tree cannot be read: silent.
    outside = project(
        tmp_path / "outside",
        {
            "config.json": _INSTANCE_CONFIG.replace("TYPE", "SGD"),
            "train.py": textwrap.dedent(_INSTANCE_TRAIN).replace(
                "def get_instance(module, name, config, *args):\n"
                '    return getattr(module, config[name]["type"])(*args, **config[name]["args"])\n',
                "from helpers import get_instance\n",
            ),
        },
    )
    assert found(outside, "SG102") == []


def test_config_init_obj_method_of_a_config_parser(tmp_path: Path) -> None:
    # pytorch-template's shape: a ConfigParser whose init_obj(name, module, *args) instantiates
    # getattr(module, self[name]["type"]) with the section's args; AdamW's decay at 0.01.
    root = project(
        tmp_path / "template",
        {
            "config.json": _INSTANCE_CONFIG.replace("TYPE", "AdamW").replace("1e-4", "0.01"),
            "parse_config.py": """
                import json


                class ConfigParser:
                    def __init__(self, path):
                        self.config = json.load(open(path))

                    def __getitem__(self, name):
                        return self.config[name]

                    def init_obj(self, name, module, *args, **kwargs):
                        module_name = self[name]["type"]
                        module_args = dict(self[name]["args"])
                        module_args.update(kwargs)
                        return getattr(module, module_name)(*args, **module_args)
            """,
            "train.py": """
                import torch

                from parse_config import ConfigParser


                def main(model):
                    config = ConfigParser("config.json")
                    trainable_params = filter(lambda p: p.requires_grad, model.parameters())
                    optimizer = config.init_obj("optimizer", torch.optim, trainable_params)
                    return optimizer
            """,
        },
    )
    sg102 = found(root, "SG102")
    assert where(sg102) == [("train.py", 9)]
    assert sg102[0].data["activity"] == "active"
    assert "config.json:3" in sg102[0].data["activity_reason"]


# -- a model unpacked from a factory's tuple ---------------------------------------------------

_NETS = """
    import torch.nn as nn


    class Backbone(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 64, 3)
            self.bn = nn.BatchNorm2d(64)


    class CosineHead(nn.Module):
        def __init__(self, dim=64, classes=10):
            super().__init__()
            self.fc = nn.Linear(dim, classes, bias=BIAS)


    def get_models(classes):
        backbone = Backbone()
        head = CosineHead(classes=classes)
        return backbone, head
"""

_NETS_TRAIN = """
    import torch
    import torch.nn as nn

    from nets import get_models

    G, C = get_models(10)
    opt_c = torch.optim.SGD(list(C.parameters()), lr=1.0, momentum=0.9, weight_decay=5e-4)
    C = nn.DataParallel(C)
"""


def test_model_unpacked_from_a_factory_tuple_is_read_for_its_class(tmp_path: Path) -> None:
    # The head is a bias-free Linear: SGD's decay reaches a 2-D weight only.
    quiet = project(
        tmp_path / "quiet", {"nets.py": _NETS.replace("BIAS", "False"), "train.py": _NETS_TRAIN}
    )
    assert found(quiet, "SG102") == []
    # With a bias, the same optimizer decays it (the later DataParallel wrap changes nothing).
    loud = project(
        tmp_path / "loud", {"nets.py": _NETS.replace("BIAS", "True"), "train.py": _NETS_TRAIN}
    )
    assert where(found(loud, "SG102")) == [("train.py", 7)]


# -- a decay read from a dict the caller passes ------------------------------------------------

_DICT_TRAIN = """
    import torch


    def fit(flow, loader, config):
        optimizer = torch.optim.Adam(flow.parameters(), lr=config["lr"], weight_decay=config["weight_decay"])
        for batch in loader:
            optimizer.zero_grad()
            flow.nll(batch).backward()
            optimizer.step()


    if __name__ == "__main__":
        settings = {"lr": 5e-4, "weight_decay": WD}
        fit(None, [], settings)
"""


def test_decay_from_a_dict_literal_the_caller_passes(tmp_path: Path) -> None:
    loud = project(tmp_path / "loud", {"train.py": _DICT_TRAIN.replace("WD", "1e-6")})
    sg101 = found(loud, "SG101")
    assert [f.data["activity"] for f in sg101] == ["active"]
    assert (
        sg101[0].data["activity_reason"]
        == f"weight_decay=1e-06 from {tmp_path / 'loud' / 'train.py'}:13"
    )
    quiet = project(tmp_path / "quiet", {"train.py": _DICT_TRAIN.replace("WD", "0.0")})
    assert [f.data["activity"] for f in found(quiet, "SG101")] == ["latent"]


# -- hydra's instantiate over a `_target_: torch.optim.*` config node -------------------------

_HYDRA_TRAIN = """
    import hydra
    from hydra.utils import instantiate


    @hydra.main(config_path="conf", config_name="config")
    def main(cfg):
        model = instantiate(cfg.model)
        optimizer = instantiate(cfg.optimizer, params=model.parameters())
        for batch in instantiate(cfg.data):
            optimizer.zero_grad()
            model(batch).backward()
            optimizer.step()
"""


def test_hydra_instantiate_of_an_optimizer_node(tmp_path: Path) -> None:
    # A `optimizer:` mapping of conf/config.yaml: Adam with weight decay, coupled L2 (SG101).
    inline = project(
        tmp_path / "inline",
        {
            "conf/config.yaml": "model:\n  _target_: nets.Net\noptimizer:\n"
            "  _target_: torch.optim.Adam\n  lr: 0.001\n  weight_decay: 0.0001\n",
            "train.py": _HYDRA_TRAIN,
        },
    )
    sg101 = found(inline, "SG101")
    assert where(sg101) == [("train.py", 8)]
    assert sg101[0].data["activity"] == "active"
    assert sg101[0].data["activity_reason"].endswith("config.yaml:6")
    assert "`instantiate(...)` builds torch.optim.Adam" in sg101[0].message
    # A config group file conf/optimizer/adamw.yaml: AdamW's decay reaches every parameter.
    group = project(
        tmp_path / "group",
        {
            "conf/config.yaml": "defaults:\n  - optimizer: adamw\n",
            "conf/optimizer/adamw.yaml": "_target_: torch.optim.AdamW\nlr: 0.001\nweight_decay: 0.05\n",
            "train.py": _HYDRA_TRAIN,
        },
    )
    assert where(found(group, "SG102")) == [("train.py", 8)]
    assert found(group, "SG101") == []
    # `_partial_: true`: instantiate returns a partial called elsewhere; not read here.
    partial = project(
        tmp_path / "partial",
        {
            "conf/optimizer/adamw.yaml": "_target_: torch.optim.AdamW\n_partial_: true\n"
            "weight_decay: 0.05\n",
            "train.py": _HYDRA_TRAIN,
        },
    )
    assert found(partial, "SG102") == []


_LIT_MODULE = """
    import torch
    from lightning import LightningModule


    class LitModule(LightningModule):
        def __init__(self, net: torch.nn.Module, optimizer: torch.optim.Optimizer):
            super().__init__()
            self.save_hyperparameters(logger=False)
            self.net = net

        def configure_optimizers(self):
            optimizer = self.hparams.optimizer(params=self.trainer.model.parameters())
            return {"optimizer": optimizer}
"""


def test_hydra_partial_optimizer_called_with_the_parameters(tmp_path: Path) -> None:
    # lightning-hydra-template: configs/model/mnist.yaml holds the optimizer node as a partial;
    # the module calls it on the parameters. Adam with weight_decay 0.0 as shipped: latent.
    config = (
        "_target_: src.models.mnist_module.LitModule\noptimizer:\n  _target_: torch.optim.Adam\n"
        "  _partial_: true\n  lr: 0.001\n  weight_decay: WD\n"
    )
    shipped = project(
        tmp_path / "shipped",
        {"configs/model/mnist.yaml": config.replace("WD", "0.0"), "src/models/lit.py": _LIT_MODULE},
    )
    sg101 = found(shipped, "SG101")
    assert where(sg101) == [("lit.py", 12)]
    assert sg101[0].data["activity"] == "latent"
    assert "mnist.yaml:6" in sg101[0].data["activity_reason"]
    assert "`_partial_: true`" in sg101[0].message
    assert [f.data["activity"] for f in found(shipped, "SG102")] == ["latent"]
    # The same config with weight decay: active.
    decayed = project(
        tmp_path / "decayed",
        {
            "configs/model/mnist.yaml": config.replace("WD", "1e-4"),
            "src/models/lit.py": _LIT_MODULE,
        },
    )
    assert [f.data["activity"] for f in found(decayed, "SG101")] == ["active"]
    # Without `_partial_`, instantiate already built the optimizer: the call is something else.
    built = project(
        tmp_path / "built",
        {
            "configs/model/mnist.yaml": config.replace("  _partial_: true\n", "").replace(
                "WD", "1e-4"
            ),
            "src/models/lit.py": _LIT_MODULE,
        },
    )
    assert found(built, "SG101") == []
