"""Reliability cases for the linter's weight-decay rules (SG101, SG102) on odd optimizer shapes.

Classes looked up by name or through a registry, helpers that build the param groups (recursive,
in another file, returning something else), name splits with many tests: the run finishes, claims
nothing it cannot see, and reports what the code shows.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reliability_harness import Case

from stepguard.lint import lint_paths, lint_source


def _codes(source: str) -> list[str]:
    return [v.finding.code for v in lint_source(source)]


def _expect(codes: list[str]) -> Callable[[Any], bool | str]:
    return lambda got: got == codes or f"expected {codes}, got {got}"


def _tree(files: dict[str, str]) -> list[str]:
    root = Path(tempfile.mkdtemp(prefix="sg-rel-decay-"))
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return [f.code for f in lint_paths([root]).findings]


SPREAD = """
import torch


def build(model, spec):
    return torch.optim.AdamW(model.parameters(), **spec["args"])
"""

INSTANCE = """
import json

import torch


def get_instance(module, name, config, *args):
    return get_instance(module, name, config) if not args else getattr(
        module, config[name]["type"])(*args, **config[name]["args"])


def main(model):
    config = json.load(open("config.json"))
    params = model.parameters()
    return get_instance(torch.optim, "optimizer", config, params)
"""

HF_SPLIT = """
import torch
import registry


def build(args, model):
    no_decay = ["bias", "LayerNorm.weight"]
    groups = [
        {"params": [p for n, p in model.named_parameters() if not any(nd in n for nd in no_decay)],
         "weight_decay": 0.01},
        {"params": [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay)],
         "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=args.lr)
"""

RECURSIVE_HELPER = """
import torch
def groups(model, wd):
    return groups(model, wd)
def build(model):
    g = groups(model, 0.1)
    return torch.optim.AdamW(g, lr=1e-3)
"""

REGISTRY_SPREAD = """
import torch
BASE = {"sgd": torch.optim.SGD}
OPTS = {**BASE, "adam": torch.optim.Adam}
def build(model, name):
    return OPTS[name](model.parameters(), lr=1e-3, weight_decay=1e-4)
"""

REGISTRY_SELF = """
import torch
OPTS = {"adam": OPTS}
def build(model, name):
    return OPTS[name](model.parameters(), lr=1e-3, weight_decay=1e-4)
"""

GETATTR_ODD = """
import torch
def build(model, name):
    if name in {1, "Adam", None}:
        return getattr(torch.optim, name)(model.parameters(), weight_decay=1e-4)
    if name in {"NoSuchOptimizer"}:
        return getattr(torch.optim, name)(model.parameters(), weight_decay=1e-4)
    return getattr(torch.optim, name)(model.parameters(), weight_decay=1e-4)
"""

MANY_TESTS = """
import torch
def build(model, lr):
    tests = []
    groups = [
        {"params": [p for n, p in model.named_parameters() if "a" in n and "b" in n and "c" in n
                    and "d" in n and "e" in n and "f" in n]},
        {"params": [p for n, p in model.named_parameters() if not "a" in n]},
    ]
    return torch.optim.AdamW(groups, lr=lr, weight_decay=0.05)
"""

RECURSIVE_FACTORY = """
import torch
def get_cls(name):
    if name == "adam":
        return get_cls(name)
    return torch.optim.Adam
def build(model, name):
    return get_cls(name)(model.parameters(), lr=1e-3, weight_decay=1e-4)
"""

OVERRIDE_ODD = """
import copy
import torch
def groups(model, weight_decay_bias=None):
    defaults = {}
    bias_overrides = {}
    if weight_decay_bias is not None:
        bias_overrides["weight_decay"] = weight_decay_bias
    params = []
    for module in model.modules():
        for name, value in module.named_parameters(recurse=False):
            hyperparams = copy.copy(defaults)
            if name.startswith("head"):
                hyperparams.update(bias_overrides)
            hyperparams.pop("lr", None)
            params.append({"params": [value], **hyperparams})
    return params
def build(model):
    g = groups(model)
    return torch.optim.SGD(g, lr=0.1, weight_decay=1e-4)
"""

CASES = [
    Case(
        "lint",
        "SG102: a helper building the param groups that calls itself",
        lambda: _codes(RECURSIVE_HELPER),
        expect="ok",
        check=_expect([]),
        timeout=60,
    ),
    Case(
        "lint",
        "SG101: an optimizer registry with a ** spread (not all visible: no class claimed)",
        lambda: _codes(REGISTRY_SPREAD),
        expect="ok",
        check=_expect([]),
    ),
    Case(
        "lint",
        "SG101: a registry that refers to itself",
        lambda: _codes(REGISTRY_SELF),
        expect="ok",
        check=_expect([]),
        timeout=60,
    ),
    Case(
        "lint",
        "SG101: getattr(torch.optim, name) guarded by a set with non-strings, an unknown name, none",
        lambda: _codes(GETATTR_ODD),
        expect="ok",
        check=_expect([]),
    ),
    Case(
        "lint",
        "SG102: a name split with more tests than the coverage check enumerates",
        lambda: _codes(MANY_TESTS),
        expect="ok",
        check=_expect([]),
    ),
    Case(
        "lint",
        "SG102: groups from a helper in another file that returns a call, not a list",
        lambda: _tree(
            {
                "utils.py": "def groups(model, wd):\n    return make(model, wd)\n",
                "train.py": (
                    "import torch\nfrom utils import groups\n"
                    "def build(model):\n"
                    "    g = groups(model, 0.1)\n"
                    "    return torch.optim.AdamW(g, lr=1e-3)\n"
                ),
            }
        ),
        expect="ok",
        check=_expect([]),
    ),
    Case(
        "lint",
        "SG101: an optimizer-class factory that calls itself",
        lambda: _codes(RECURSIVE_FACTORY),
        expect="ok",
        check=_expect([]),
        timeout=60,
    ),
    Case(
        "lint",
        "SG102: per-parameter groups whose overrides are changed in ways the linter cannot read",
        lambda: _codes(OVERRIDE_ODD),
        expect="ok",
        check=_expect([]),
    ),
]

# -- round 4 of the weight-decay rules: edge inputs of the shapes they now read -----------------

_RANK_SPLIT = """import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
{init}

    def configure_optimizers(self):
        params = {{n: p for n, p in self.named_parameters() if p.requires_grad}}
        decay = [p for n, p in params.items() if {test}]
        rest = [p for n, p in params.items() if not ({test})]
        return torch.optim.AdamW([{{"params": decay, "weight_decay": 0.1}}, {{"params": rest, "weight_decay": 0.0}}])


opt = Net().configure_optimizers()
"""


def _sg102_count(want: int) -> Callable[[list[str]], bool | str]:
    return lambda codes: codes.count("SG102") == want or f"SG102 x{codes.count('SG102')}: {codes}"


CASES += [
    Case(
        "lint",
        "rank split over a model class that builds itself (recursive submodule)",
        lambda: _codes(
            _RANK_SPLIT.format(
                init="        self.child = Net()\n        self.emb = nn.Embedding(9, 4)",
                test="p.dim() >= 2",
            )
        ),
        expect="ok",
        check=_sg102_count(1),
    ),
    Case(
        "lint",
        "rank split over a model whose weight is tied to itself, no embedding class",
        lambda: _codes(
            _RANK_SPLIT.format(
                init="        self.fc = nn.Linear(4, 4)\n        self.fc.weight = self.fc.weight",
                test="p.dim() >= 2",
            )
        ),
        expect="ok",
        check=_sg102_count(0),
    ),
    Case(
        "lint",
        "rank split compared with a string (p.dim() >= '2')",
        lambda: _codes(
            _RANK_SPLIT.format(init="        self.emb = nn.Embedding(9, 4)", test="p.dim() >= '2'")
        ),
        expect="ok",
        check=_sg102_count(0),
    ),
    Case(
        "lint",
        "PEFT modules_to_save bound to None, a call and a non-string list",
        lambda: _codes(
            "import torch\nfrom peft import LoraConfig, get_peft_model\n"
            "saved = None\n"
            "a = LoraConfig(modules_to_save=saved)\n"
            "b = LoraConfig(modules_to_save=names())\n"
            "c = LoraConfig(modules_to_save=[1, None, b'norm'], bias=None)\n"
            "model = get_peft_model(base, a)\n"
            "opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01)\n"
        ),
        expect="ok",
        check=_sg102_count(0),
    ),
    Case(
        "lint",
        "**kwargs from `dict(**base) if flag else dict()` (keys not visible)",
        lambda: _codes(
            "import torch\nmodel = torch.nn.Linear(4, 2)\n"
            "extra = dict(**base) if flag else dict()\n"
            "opt = torch.optim.AdamW(model.parameters(), lr=1e-3, **extra)\n"
        ),
        expect="ok",
        check=lambda codes: "SG102" not in codes or f"guessed a decay through **extra: {codes}",
    ),
    Case(
        "lint",
        "parameters from a helper that returns its own call (recursion)",
        lambda: _codes(
            "import torch\n\n\ndef get_params(m):\n    return get_params(m)\n\n\n"
            "opt = torch.optim.AdamW(get_params(net), lr=1e-3)\n"
        ),
        expect="ok",
        check=_sg102_count(0),
    ),
]

# -- round 5: name-list splits, language models by name, DeepSpeed configs, dict constants -------

_NAME_SPLIT = """import torch
from transformers import AutoModel

model = AutoModel.from_pretrained("bert-base-uncased")
no_decay = {words}
groups = [
    {{"params": [p for n, p in model.named_parameters() if not any(nd in n for nd in no_decay)],
      "weight_decay": 0.01}},
    {{"params": [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay)],
      "weight_decay": 0.0}},
]
opt = torch.optim.AdamW(groups, lr=1e-5)
"""

CASES += [
    Case(
        "lint",
        'no-decay list that is not all strings (["bias", 1, None])',
        lambda: _codes(_NAME_SPLIT.format(words='["bias", 1, None]')),
        expect="ok",
        check=_sg102_count(0),
    ),
    Case(
        "lint",
        "no-decay list bound to a call (not a literal)",
        lambda: _codes(_NAME_SPLIT.format(words="load_words()")),
        expect="ok",
        check=_sg102_count(0),
    ),
    Case(
        "lint",
        "empty no-decay list",
        lambda: _codes(_NAME_SPLIT.format(words="[]")),
        expect="ok",
        check=_sg102_count(0),
    ),
    Case(
        "lint",
        "a function returning the model that calls itself (model = build(model))",
        lambda: _codes(
            "import torch\n\n\ndef build(m):\n    return build(m)\n\n\n"
            "model = build(None)\nno_decay = ['bias', 'LayerNorm.weight']\n"
            "g = [{'params': [p for n, p in model.named_parameters() if not any(nd in n for nd in "
            "no_decay)], 'weight_decay': 0.1}]\nopt = torch.optim.AdamW(g, lr=1e-3)\n"
        ),
        expect="ok",
        check=_sg102_count(0),
    ),
    Case(
        "lint",
        "DeepSpeed config dict with a non-dict optimizer entry and a ** key",
        lambda: _codes(
            "import deepspeed\nimport torch.nn as nn\nm = nn.Linear(4, 4)\n"
            "a = {'optimizer': 'AdamW'}\nb = {**base, 'optimizer': {'type': 1, 'params': None}}\n"
            "deepspeed.initialize(model=m, model_parameters=m.parameters(), config=a)\n"
            "deepspeed.initialize(model=m, model_parameters=m.parameters(), config=b)\n"
            "deepspeed.initialize(model=m, config=make())\n"
        ),
        expect="ok",
        check=_sg102_count(0),
    ),
    Case(
        "lint",
        "CONFIG['weight_decay'] of a dict that is updated later (value not certain)",
        lambda: _codes(
            "import torch\nimport torch.nn as nn\nCFG = {'weight_decay': 0.0}\n"
            "CFG['weight_decay'] = 0.1\nmodel = nn.Sequential(nn.Linear(4, 4), nn.LayerNorm(4))\n"
            "opt = torch.optim.AdamW(model.parameters(), weight_decay=CFG['weight_decay'])\n"
        ),
        expect="ok",
        check=lambda codes: "SG102" in codes or f"read the dict's first value as certain: {codes}",
    ),
    Case(
        "lint",
        "hand-written optimizer class whose weight_decay default is not a number",
        lambda: _codes(
            "import torch\nimport torch.nn as nn\n\n\nclass AdamW(torch.optim.Optimizer):\n"
            "    def __init__(self, params, lr=1e-3, weight_decay='auto'):\n"
            "        super().__init__(params, dict(lr=lr))\n\n\n"
            "model = nn.Sequential(nn.Embedding(9, 4), nn.LayerNorm(4))\n"
            "opt = AdamW(model.parameters())\n"
        ),
        expect="ok",
        check=_sg102_count(0),
    ),
    Case(
        "lint",
        "param_groups_lrd-style helper whose skip list default is a non-empty list",
        lambda: _codes(
            "import torch\nimport models_vit\n\n\n"
            "def lrd(model, wd=0.05, no_weight_decay_list=('cls_token',)):\n"
            "    return [{'params': [p for n, p in model.named_parameters() "
            "if p.ndim > 1 and n not in no_weight_decay_list], 'weight_decay': wd}]\n\n\n"
            "model = models_vit.vit_base()\nopt = torch.optim.AdamW(lrd(model, 0.05), lr=1e-3)\n"
        ),
        expect="ok",
        check=_sg102_count(0),
    ),
    Case(
        "lint",
        "HF no-decay list over an unseen model; transformers imported only by another file",
        lambda: _tree(
            {
                "loader.py": "from transformers import AutoModel\n\n\n"
                "def load(name):\n    return AutoModel.from_pretrained(name)\n",
                "train.py": HF_SPLIT + "\n\ndef main(args):\n"
                "    return build(args, registry.get(args.model)())\n",
            }
        ),
        expect="ok",
        check=lambda codes: codes.count("SG102") == 1 or f"expected one SG102, got {codes}",
    ),
    Case(
        "lint",
        "HF no-decay list in a transformers project over a model a caller builds from a "
        "class of the tree without embeddings",
        lambda: _tree(
            {
                "net.py": "from torch import nn\n\n\nclass Net(nn.Module):\n"
                "    def __init__(self):\n        super().__init__()\n"
                "        self.dense = nn.Linear(4, 4)\n        self.LayerNorm = nn.LayerNorm(4)\n",
                "train.py": "from transformers import get_linear_schedule_with_warmup\n"
                + HF_SPLIT
                + "\n\ndef main(args):\n    from net import Net\n\n    return build(args, Net())\n",
            }
        ),
        expect="ok",
        check=lambda codes: "SG102" not in codes or f"assumed embeddings in a seen model: {codes}",
    ),
    # -- round 6: weight decay from configs, generic config helpers, unsquared penalties -------
    Case(
        "lint",
        "**spec['args'] spread next to a malformed YAML config (tabs, unclosed flow mapping)",
        lambda: _tree(
            {
                "configs/a.yaml": "optimizer:\n\targs: {weight_decay: 1e-4\n  lr: [1, 2\n",
                "train.py": SPREAD,
            }
        ),
        expect="ok",
        check=_expect([]),
    ),
    Case(
        "lint",
        "**spec['args'] spread; the config's weight_decay is a string, a list, null",
        lambda: _tree(
            {
                "a.yaml": "optimizer:\n  args:\n    weight_decay: high\n",
                "b.json": '{"optimizer": {"args": {"weight_decay": [1, 2]}}}',
                "c.toml": "[optimizer.args]\nlr = 1\n",
                "train.py": SPREAD,
            }
        ),
        expect="ok",
        check=lambda codes: all(c in ("SG101", "SG102") for c in codes) or f"got {codes}",
    ),
    Case(
        "lint",
        "getattr(torch.optim, config[name]['type']) helper; the type names no optimizer, "
        "the section is a list, the helper recurses",
        lambda: _tree(
            {
                "config.json": '{"optimizer": {"type": "NoSuchOpt", "args": {"weight_decay": 1}},'
                ' "sched": [1, 2]}',
                "train.py": INSTANCE,
            }
        ),
        expect="ok",
        check=_expect([]),
    ),
    Case(
        "lint",
        "getattr helper given torch.optim with no forwarded parameters and a starred call",
        lambda: _tree(
            {
                "config.json": '{"optimizer": {"type": "SGD", "args": {"weight_decay": 1e-4}}}',
                "train.py": INSTANCE.replace(
                    'get_instance(torch.optim, "optimizer", config, params)',
                    'get_instance(torch.optim, "optimizer", config, *[params])',
                ),
            }
        ),
        expect="ok",
        check=_expect([]),
    ),
    Case(
        "lint",
        "hydra instantiate over odd optimizer nodes (a target outside torch.optim, a list "
        "target, two classes in two files, a subscripted node)",
        lambda: _tree(
            {
                "conf/a.yaml": "optimizer:\n  _target_: [torch.optim.Adam]\n",
                "conf/b.yaml": "optimizer:\n  _target_: mylib.Fancy\n  weight_decay: 1\n",
                "conf/c.yaml": "optimizer:\n  _target_: torch.optim.Adam\n",
                "conf/d.yaml": "optimizer:\n  _target_: torch.optim.SGD\n",
                "train.py": "from hydra.utils import instantiate\n"
                "def main(cfg, model):\n"
                "    opt = instantiate(cfg['optimizer'], model.parameters())\n"
                "    opt2 = instantiate(cfg.optimizer)\n"
                "    opt.step()\n",
            }
        ),
        expect="ok",
        check=_expect([]),
    ),
    Case(
        "lint",
        "hydra partial optimizer nodes that disagree on _partial_, a partial called with "
        "*args, a config group folder at the tree root",
        lambda: _tree(
            {
                "optimizer.yaml": "_target_: torch.optim.Adam\n_partial_: true\n",
                "a/model.yaml": "optimizer:\n  _target_: torch.optim.Adam\n  _partial_: true\n",
                "b/model.yaml": "optimizer:\n  _target_: torch.optim.Adam\n",
                "lit.py": "import torch\n"
                "class M:\n"
                "    def configure_optimizers(self, *ps):\n"
                "        a = self.hparams.optimizer(params=self.parameters())\n"
                "        return self.hparams.optimizer(*ps), a\n",
            }
        ),
        expect="ok",
        check=_expect([]),
    ),
    Case(
        "lint",
        "norm penalty with odd orders (p='nuc', a variable order, inf) beside AdamW",
        lambda: _codes(
            "import torch\n"
            "def f(m, loader, order):\n"
            "    opt = torch.optim.SGD(m.parameters(), lr=0.1, weight_decay=1e-4)\n"
            "    for x in loader:\n"
            "        loss = m(x)\n"
            "        loss = loss + sum(p.norm(p='nuc') for p in m.parameters())\n"
            "        loss = loss + sum(torch.norm(p, order) for p in m.parameters())\n"
            "        loss = loss + sum(p.norm(float('inf')) for p in m.parameters())\n"
            "        loss.backward()\n"
            "        opt.step()\n"
        ),
        expect="ok",
        check=_expect(["SG102"]),
    ),
    Case(
        "lint",
        "model unpacked from a factory that returns tuples of different lengths or itself",
        lambda: _tree(
            {
                "nets.py": "import torch.nn as nn\n\n\ndef get(k):\n    if k:\n"
                "        return nn.Linear(2, 2), nn.Linear(2, 2, bias=False), 3\n"
                "    return get(k - 1)\n",
                "train.py": "import torch\nfrom nets import get\n\nG, C = get(1)\n"
                "opt = torch.optim.SGD(C.parameters(), lr=1.0, weight_decay=5e-4)\n",
            }
        ),
        expect="ok",
        check=_expect(["SG102"]),
    ),
]

# Round 7 (blind corpora 10-13): the new weight-decay shapes on odd inputs.
CASES += [
    Case(
        "lint",
        "param groups grown in a loop with other changes too (insert, a non-list +=, rebound), "
        "a grown element that is no group literal",
        lambda: _codes(
            "import torch\n"
            "def a(model, wd):\n"
            "    params = []\n"
            "    for k, v in model.named_parameters():\n"
            "        params += [{'params': [v], 'weight_decay': wd}]\n"
            "    params.insert(0, {'params': []})\n"
            "    return torch.optim.Adam(params)\n"
            "def b(model, wd, extra):\n"
            "    params = []\n"
            "    params += extra\n"
            "    return torch.optim.Adam(params)\n"
            "def c(model, wd):\n"
            "    params = []\n"
            "    params = []\n"
            "    params.append({'params': [1], 'weight_decay': wd})\n"
            "    return torch.optim.Adam(params)\n"
            "def d(model, g):\n"
            "    params = []\n"
            "    params.append(g)\n"
            "    return torch.optim.Adam(params)\n"
        ),
        expect="ok",
        check=_expect([]),
    ),
    Case(
        "lint",
        "an optimizer class in a parameter default that is no class, refers to the function "
        "itself, or is a lambda",
        lambda: _codes(
            "import torch\n"
            "def f(model, opt_fn=None):\n"
            "    return opt_fn(model.parameters(), weight_decay=0.1)\n"
            "def g(model, opt_fn=g):\n"
            "    return opt_fn(model.parameters(), weight_decay=0.1)\n"
            "def h(model, opt_fn=lambda p, **k: torch.optim.Adam(p, **k)):\n"
            "    return opt_fn(model.parameters(), weight_decay=0.1)\n"
        ),
        expect="ok",
        check=_expect([]),
    ),
    Case(
        "lint",
        "a class factory imported from another file that imports it back, and one returning a "
        "non-class",
        lambda: _tree(
            {
                "a.py": "import torch\nfrom b import get\n\n\ndef get2(name):\n"
                "    return get(name)\n",
                "b.py": "import torch\nfrom a import get2\n\n\ndef get(name):\n"
                "    if name == 'x':\n        return get2(name)\n    return 3\n",
                "train.py": "import torch\nfrom a import get2\n\n\ndef main(model, cfg):\n"
                "    cls = get2(cfg.name)\n"
                "    return cls(model.parameters(), weight_decay=0.1)\n",
            }
        ),
        expect="ok",
        check=_expect([]),
    ),
    Case(
        "lint",
        "a loss-module call whose class has no forward, a recursive forward, or a module built "
        "two ways",
        lambda: _tree(
            {
                "reg.py": "import torch\nimport torch.nn as nn\n\n\nclass A(nn.Module):\n"
                "    pass\n\n\nclass B(nn.Module):\n    def forward(self, m):\n"
                "        return self.forward(m)\n",
                "train.py": "import torch\nfrom reg import A, B\n\n\nclass T:\n"
                "    def __init__(self, model, flag):\n"
                "        self.model = model\n"
                "        self.opt = torch.optim.SGD(model.parameters(), lr=0.1, weight_decay=1e-4)\n"
                "        self.a = A()\n        self.b = B() if flag else A()\n\n"
                "    def step(self, x):\n"
                "        loss = self.model(x).sum()\n"
                "        loss = loss + self.a(self.model) + self.b(self.model)\n"
                "        loss.backward()\n        self.opt.step()\n",
            }
        ),
        expect="ok",
        check=lambda got: "SG103" not in got or f"unexpected SG103 in {got}",
    ),
    Case(
        "lint",
        "parameters filled by initializers with no argument, nested initializers, a switched "
        "decay with three operands",
        lambda: _codes(
            "import torch\nimport torch.nn as nn\n"
            "class M(nn.Module):\n"
            "    def __init__(self):\n"
            "        super().__init__()\n"
            "        self.a = nn.Parameter(nn.init.zeros_())\n"
            "        self.b = nn.Parameter(nn.init.ones_(nn.init.zeros_(torch.empty(3, 3))))\n"
            "model = M()\n"
            "opt = torch.optim.SGD([\n"
            "    {'params': [p for n, p in model.named_parameters() if 'bias' in n],\n"
            "     'weight_decay': cfg.A and cfg.B or cfg.C or 0},\n"
            "], lr=0.1)\n"
        ),
        expect="ok",
        check=lambda got: isinstance(got, list) or f"expected a list, got {got!r}",
    ),
]
