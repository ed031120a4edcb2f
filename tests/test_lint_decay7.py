"""Weight-decay shapes of round 7 (issue 13): what the blind corpora 10-13 showed real projects write.

Each test writes a small project (paraphrased shapes, not copies) and lints it as a tree: the bad
shape fires where the corpus conventions put the finding, the fixed shape stays silent.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from stepguard.findings import Finding
from stepguard.lint import lint_paths


def project(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    return root


def found(root: Path, code: str) -> list[Finding]:
    return [f for f in lint_paths([root]).findings if f.code == code]


def lines(findings: list[Finding]) -> list[int]:
    return [f.line for f in findings]


# -- an optimizer class of a module beside the script, named after it --------------------------

_BESIDE = """
    import torch.nn as nn

    from lamb import Lamb


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(100, 16)
            self.norm = nn.LayerNorm(16)


    def build(args):
        model = Net()
        return Lamb(model.parameters(), lr=1e-3, weight_decay=WD)
"""


def test_a_class_imported_from_a_top_level_module_named_after_it_is_an_optimizer(
    tmp_path: Path,
) -> None:
    # online-dt's `from lamb import Lamb`: lamb.py sits beside the script, outside the linted files
    loud = project(tmp_path / "loud", {"train.py": _BESIDE.replace("WD", "5e-4")})
    assert lines(found(loud, "SG102")) == [15]
    assert "Lamb(..., weight_decay=0.0005)" in found(loud, "SG102")[0].message
    quiet = project(tmp_path / "quiet", {"train.py": _BESIDE.replace("WD", "0.0")})
    assert found(quiet, "SG102") == []
    # a module not named after the class is not read as an optimizer
    other = project(
        tmp_path / "other",
        {"train.py": _BESIDE.replace("WD", "5e-4").replace("from lamb", "from helpers")},
    )
    assert found(other, "SG102") == []


# -- optimizers of torch_optimizer / pytorch_optimizer by name -----------------------------------

_MADGRAD = """
    import torch
    import torch_optimizer


    def make(model, kind):
        if kind == "madgrad":
            return torch_optimizer.MADGRAD(model.parameters(), lr=1e-3, weight_decay=WD)
        return torch_optimizer.Ranger(model.parameters(), lr=1e-3, weight_decay=WD)
"""


def test_madgrad_and_ranger_with_decay_over_every_parameter_are_sg102(tmp_path: Path) -> None:
    loud = project(tmp_path / "loud", {"train.py": _MADGRAD.replace("WD", "1e-6")})
    assert lines(found(loud, "SG102")) == [7, 8]
    # their coupling is not in the table: no SG101 claim
    assert found(loud, "SG101") == []
    quiet = project(tmp_path / "quiet", {"train.py": _MADGRAD.replace("WD", "0")})
    assert found(quiet, "SG102") == []


# -- the class held in a parameter with a default, the keywords in a dict --------------------------

_TRAINER = """
    import torch


    class CTRTrainer:
        def __init__(self, model, optimizer_fn=CLASS, optimizer_params=None, n_epoch=10):
            self.model = model
            if optimizer_params is None:
                optimizer_params = {"lr": 1e-3, "weight_decay": 1e-5}
            self.optimizer = optimizer_fn(self.model.parameters(), **optimizer_params)
"""


def test_an_optimizer_class_taken_from_a_parameter_default_is_read(tmp_path: Path) -> None:
    # torch-rechub's trainers: Adam by default, the decay in a default keyword dict
    loud = project(tmp_path / "loud", {"trainer.py": _TRAINER.replace("CLASS", "torch.optim.Adam")})
    sg101 = found(loud, "SG101")
    assert lines(sg101) == [9]
    assert "`optimizer_fn` defaults to Adam; a caller may pass another class" in sg101[0].message
    assert "weight_decay=1e-05" in sg101[0].message
    assert lines(found(loud, "SG102")) == [9]
    # the call is not the class: the autofix must not rename `optimizer_fn`
    assert sg101[0].fix is None or "optimizer_fn" not in str(sg101[0].fix)
    # AdamW by default: decoupled, no SG101 (the single decayed group stays SG102)
    adamw = project(
        tmp_path / "adamw", {"trainer.py": _TRAINER.replace("CLASS", "torch.optim.AdamW")}
    )
    assert found(adamw, "SG101") == []
    assert lines(found(adamw, "SG102")) == [9]
    # no default class: nothing is claimed
    none = project(tmp_path / "none", {"trainer.py": _TRAINER.replace("CLASS", "None")})
    assert found(none, "SG101") == [] and found(none, "SG102") == []


# -- per-parameter groups grown in a loop ---------------------------------------------------------

_GROWN = """
    import torch


    def build(model, cfg, lr):
        params = []
        for key, value in dict(model.named_parameters()).items():
            if value.requires_grad:
                if "bias" in key:
                    params += [{"params": [value], "lr": lr * 2, "weight_decay": BIAS}]
                else:
                    params += [{"params": [value], "lr": lr, "weight_decay": cfg.WEIGHT_DECAY}]
        return torch.optim.CLASS(params)
"""


def test_adam_over_groups_grown_one_parameter_at_a_time_is_sg101(tmp_path: Path) -> None:
    # faster-rcnn.pytorch / maskrcnn-benchmark's make_optimizer: `params += [{...}]` per tensor
    loud = project(
        tmp_path / "loud", {"train.py": _GROWN.replace("CLASS", "Adam").replace("BIAS", "0")}
    )
    sg101 = found(loud, "SG101")
    assert lines(sg101) == [12]
    assert "weight_decay=cfg.WEIGHT_DECAY" in sg101[0].message
    quiet = project(
        tmp_path / "quiet", {"train.py": _GROWN.replace("CLASS", "AdamW").replace("BIAS", "0")}
    )
    assert found(quiet, "SG101") == []
    # every group at 0: nothing to decouple
    zero = project(
        tmp_path / "zero",
        {
            "train.py": _GROWN.replace("CLASS", "Adam")
            .replace("BIAS", "0")
            .replace("cfg.WEIGHT_DECAY", "0.0")
        },
    )
    assert found(zero, "SG101") == []


def test_a_bias_group_decayed_only_behind_an_opt_in_switch_is_not_sg102(tmp_path: Path) -> None:
    switched = "cfg.BIAS_DECAY and cfg.WEIGHT_DECAY or 0"
    quiet = project(
        tmp_path / "quiet", {"train.py": _GROWN.replace("CLASS", "SGD").replace("BIAS", switched)}
    )
    assert found(quiet, "SG102") == []
    ifexp = project(
        tmp_path / "ifexp",
        {
            "train.py": _GROWN.replace("CLASS", "SGD").replace(
                "BIAS", "cfg.WEIGHT_DECAY if cfg.BIAS_DECAY else 0"
            )
        },
    )
    assert found(ifexp, "SG102") == []
    # the biases decayed unconditionally: SG102 on the group that holds them
    loud = project(
        tmp_path / "loud",
        {"train.py": _GROWN.replace("CLASS", "SGD").replace("BIAS", "cfg.WEIGHT_DECAY")},
    )
    sg102 = found(loud, "SG102")
    assert lines(sg102) == [12]
    assert "line 9" in sg102[0].message


# -- an explicit L2 accumulated in its own variable ------------------------------------------------

_PENALTY = """
    import torch


    def train(model, loader, criterion, wd):
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1, weight_decay=wd)
        for x, y in loader:
            loss = criterion(model(x), y)
            START
            for p in model.parameters():
                ACCUMULATE
            ADD
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
"""


def _penalty(start: str, accumulate: str, add: str) -> str:
    return _PENALTY.replace("START", start).replace("ACCUMULATE", accumulate).replace("ADD", add)


def test_sg103_on_a_penalty_accumulator_is_reported_where_it_joins_the_loss(tmp_path: Path) -> None:
    # logit-adj: `loss_r = 0; for p in ...: loss_r += torch.sum(p**2); loss = loss + loss_r`
    fresh = project(
        tmp_path / "fresh",
        {"train.py": _penalty("loss_r = 0", "loss_r += torch.sum(p**2)", "loss = loss + loss_r")},
    )
    assert lines(found(fresh, "SG103")) == [11]
    # started as a zero tensor, scaled where it joins
    tensor = project(
        tmp_path / "tensor",
        {
            "train.py": _penalty(
                "l2_reg = torch.tensor(0.0)", "l2_reg += p.pow(2).sum()", "loss += 1e-4 * l2_reg"
            )
        },
    )
    assert lines(found(tensor, "SG103")) == [11]
    # the optimizer does not decay: no double regularisation
    quiet = project(
        tmp_path / "quiet",
        {
            "train.py": _penalty(
                "loss_r = 0", "loss_r += torch.sum(p**2)", "loss = loss + loss_r"
            ).replace("weight_decay=wd", "weight_decay=0.0")
        },
    )
    assert found(quiet, "SG103") == []


# -- a model of 2-D parameters filled by an initializer -------------------------------------------

_GAT = """
    import numpy as np
    import torch
    import torch.nn as nn


    class AttentionLayer(nn.Module):
        def __init__(self, n_in, n_out):
            super().__init__()
            self.W = nn.Parameter(nn.init.xavier_uniform_(torch.empty(n_in, n_out), gain=np.sqrt(2.0)))
            self.a = nn.Parameter(nn.init.xavier_uniform_(SHAPE, gain=np.sqrt(2.0)))


    model = AttentionLayer(16, 8)
    optimizer = torch.optim.SGD(model.parameters(), lr=5e-3, weight_decay=5e-4)
"""


def test_parameters_filled_by_an_initializer_keep_their_shape(tmp_path: Path) -> None:
    # pyGAT: `nn.Parameter(nn.init.xavier_uniform_(torch.empty(a, b)))`, weight matrices only
    quiet = project(tmp_path / "quiet", {"gat.py": _GAT.replace("SHAPE", "torch.empty(16, 1)")})
    assert found(quiet, "SG102") == []
    # a 1-D parameter (a bias-like vector) filled the same way is decayed
    loud = project(tmp_path / "loud", {"gat.py": _GAT.replace("SHAPE", "torch.empty(16)")})
    assert lines(found(loud, "SG102")) == [14]
    assert "1-D parameters" in found(loud, "SG102")[0].message


# -- learning-rate groups appended per module in loops --------------------------------------------

_LR_GROUPS = """
    import torch


    def build(model, args):
        modules_ori = [model.layer0, model.layer1]
        modules_new = [model.ppm, model.cls]
        params_list = []
        for module in modules_ori:
            params_list.append(dict(params=module.parameters(), lr=args.base_lr))
        for module in modules_new:
            params_list.append(dict(params=module.parameters(), lr=args.base_lr * 10EXTRA))
        return torch.optim.SGD(params_list, lr=args.base_lr, momentum=0.9, weight_decay=WD)
"""


def test_learning_rate_groups_appended_per_module_all_decay(tmp_path: Path) -> None:
    # semseg's PSPNet: groups by module for the learning rate, none without decay
    loud = project(
        tmp_path / "loud", {"train.py": _LR_GROUPS.replace("EXTRA", "").replace("WD", "1e-4")}
    )
    sg102 = found(loud, "SG102")
    assert lines(sg102) == [12]
    assert "each `module.parameters()` of `modules_new`" in sg102[0].message
    # no decay at all
    zero = project(
        tmp_path / "zero", {"train.py": _LR_GROUPS.replace("EXTRA", "").replace("WD", "0.0")}
    )
    assert found(zero, "SG102") == []
    # an element that is no param-group literal: the groups are not read, nothing is claimed
    other = project(
        tmp_path / "other",
        {
            "train.py": _LR_GROUPS.replace("EXTRA", "")
            .replace("WD", "1e-4")
            .replace(
                "params_list.append(dict(params=module.parameters(), lr=args.base_lr))",
                "params_list.append(make_group(module))",
            )
        },
    )
    assert found(other, "SG102") == []


# -- a no-decay filter behind an opt-in flag --------------------------------------------------------

_FILTER = """
    import argparse

    import torch


    def build_optimizer(args, model):
        params_with_decay = []
        params_without_decay = []
        for name, param in model.named_parameters():
            if param.requires_grad is False:
                continue
            if args.filter_biases_wd and (len(param.shape) == 1 or name.endswith("bias")):
                params_without_decay.append(param)
            else:
                params_with_decay.append(param)
        if args.filter_biases_wd:
            param_groups = [
                {"params": params_without_decay, "weight_decay": 0.0},
                {"params": params_with_decay, "weight_decay": args.weight_decay},
            ]
        else:
            param_groups = [{"params": params_with_decay, "weight_decay": args.weight_decay}]
        return torch.optim.AdamW(param_groups, lr=args.base_lr)


    parser = argparse.ArgumentParser()
    parser.add_argument("--weight_decay", default=0.1, type=float)
    parser.add_argument("--filter_biases_wd", default=FLAG, action="store_true")
"""


def test_a_no_decay_filter_behind_an_opt_in_flag_is_sg102_when_the_flag_is_off(
    tmp_path: Path,
) -> None:
    # 3DETR's --filter_biases_wd: off by default, every parameter decays at 0.1
    loud = project(tmp_path / "loud", {"optimizer.py": _FILTER.replace("FLAG", "False")})
    sg102 = found(loud, "SG102")
    assert lines(sg102) == [23]
    assert (
        "line 22" in sg102[0].message
        and "unless `args.filter_biases_wd` is set" in sg102[0].message
    )
    assert sg102[0].data["activity"] == "active"
    # the flag on by default: the finding holds only when it is turned off
    on = project(tmp_path / "on", {"optimizer.py": _FILTER.replace("FLAG", "True")})
    assert [f.data["activity"] for f in found(on, "SG102")] == ["latent"]
    # the split by role whatever the flag: silent
    fixed = project(
        tmp_path / "fixed",
        {
            "optimizer.py": _FILTER.replace("FLAG", "False").replace(
                "args.filter_biases_wd and (len(param.shape) == 1",
                "(len(param.shape) == 1",
            )
        },
    )
    assert found(fixed, "SG102") == []


# -- a BERT task head named by its family ---------------------------------------------------------

_NER = """
    import torch

    from callback.optimizater.adamw import AdamW
    from models.bert_for_ner import CLASS


    def train(args):
        model = CLASS.from_pretrained("bert-base-chinese")
        no_decay = ["bias", "LayerNorm.weight"]
        groups = [
            {"params": [p for n, p in model.named_parameters() if not any(nd in n for nd in no_decay)],
             "weight_decay": args.weight_decay},
            {"params": [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay)],
             "weight_decay": 0.0},
        ]
        return AdamW(groups, lr=args.learning_rate)
"""


def test_a_bert_task_head_class_holds_the_bert_embeddings(tmp_path: Path) -> None:
    # BERT-NER-Pytorch's BertCrfForNer / BertSpanForNer: the name list decays the embeddings
    for cls in ("BertCrfForNer", "RobertaSpanForTokenClassification"):
        loud = project(tmp_path / cls, {"run_ner.py": _NER.replace("CLASS", cls)})
        sg102 = found(loud, "SG102")
        assert lines(sg102) == [16], cls
        assert f"`{cls}`" in sg102[0].message
    # a class not of those families (nor named like a language model): unknown, silent
    quiet = project(tmp_path / "quiet", {"run_ner.py": _NER.replace("CLASS", "CrfTagger")})
    assert found(quiet, "SG102") == []


# -- a frozen submodule the optimizer does not take ------------------------------------------------

_SAM = """
    import torch
    import torch.nn as nn


    class MedSAM(nn.Module):
        def __init__(self, image_encoder, mask_decoder, prompt_encoder):
            super().__init__()
            self.image_encoder = image_encoder
            self.mask_decoder = mask_decoder
            self.prompt_encoder = prompt_encoder
            for param in self.FROZEN.parameters():
                param.requires_grad = False

        def forward(self, image, box):
            sparse_prompt_embeddings = self.prompt_encoder(box)
            return self.mask_decoder(self.image_encoder(image), sparse_prompt_embeddings)


    def build(sam, weight_decay):
        model = MedSAM(sam.image_encoder, sam.mask_decoder, sam.prompt_encoder)
        params = list(model.image_encoder.parameters()) + list(model.mask_decoder.parameters())
        return torch.optim.AdamW(params, lr=1e-4, weight_decay=weight_decay)
"""


def test_freezing_a_submodule_the_optimizer_does_not_take_is_no_adapter_training(
    tmp_path: Path,
) -> None:
    # MedSAM freezes the prompt encoder and trains the image encoder and mask decoder whole
    loud = project(tmp_path / "loud", {"train.py": _SAM.replace("FROZEN", "prompt_encoder")})
    sg102 = found(loud, "SG102")
    assert lines(sg102) == [22]
    assert "model.image_encoder.parameters()" in sg102[0].message
    # the frozen module is one the optimizer takes: read as adapter training, nothing claimed
    quiet = project(tmp_path / "quiet", {"train.py": _SAM.replace("FROZEN", "image_encoder")})
    assert found(quiet, "SG102") == []


# -- a factory's decay knob that nothing in the tree calls ------------------------------------------

_FACTORY = """
    import torch


    def get(params, optimizer, learning_rate=None, weight_decay=0):
        if optimizer == "sgd":
            return torch.optim.SGD(params, lr=learning_rate, weight_decay=weight_decay)
        if optimizer == "adam":
            return torch.optim.Adam(params, lr=learning_rate, weight_decay=weight_decay)
        raise NotImplementedError(optimizer)
"""


def test_a_factory_knob_defaulting_to_zero_with_no_caller_in_the_tree_is_latent(
    tmp_path: Path,
) -> None:
    # DeepXDE's optimizers.get: the library's users pass the decay; 0 is only the default
    lib = project(tmp_path / "lib", {"optimizers.py": _FACTORY})
    sg101 = found(lib, "SG101")
    assert lines(sg101) == [8]
    assert sg101[0].data["activity"] == "latent"
    assert sg101[0].data["activity_reason"].startswith("only if weight_decay > 0; default 0")
    # every caller of the tree keeps the default: provably no decay, silent
    used = project(
        tmp_path / "used",
        {
            "optimizers.py": _FACTORY,
            "train.py": "from optimizers import get\n\nopt = get([], 'adam', 1e-3)\n",
        },
    )
    assert found(used, "SG101") == []


# -- a class returned by a factory of another file, keywords in a **options dict --------------------

_REGISTRY = """
    import torch
    from torch.optim.optimizer import Optimizer


    def get_optimizer(name):
        if name == "Adam":
            return torch.optim.Adam
        elif name == "RAdam":
            return RAdam


    class RAdam(Optimizer):
        def __init__(self, params, lr=1e-3, weight_decay=0):
            super().__init__(params, dict(lr=lr, weight_decay=weight_decay))
"""

_MAIN = """
    from optimizers import get_optimizer


    def main(config, model):
        optim_class = get_optimizer(config["optimizer"])
        return optim_class(model.parameters(), lr=config["lr"], weight_decay=config["l2_reg"])
"""


def test_a_class_returned_by_a_factory_of_another_file_is_read_there(tmp_path: Path) -> None:
    # mvts_transformer: `optim_class = get_optimizer(config["optimizer"])` from optimizers.py
    root = project(tmp_path / "p", {"optimizers.py": _REGISTRY, "main.py": _MAIN})
    sg101 = found(root, "SG101")
    assert lines(sg101) == [6]
    assert "(`optim_class` is Adam when `name == 'Adam'`)" in sg101[0].message
    # the factory returns decoupled classes only: nothing to report for SG101
    adamw = project(
        tmp_path / "w",
        {
            "optimizers.py": _REGISTRY.replace("torch.optim.Adam\n", "torch.optim.AdamW\n"),
            "main.py": _MAIN,
        },
    )
    assert found(adamw, "SG101") == []


_OPTIONS = """
    import torch


    def build_optimizer(args, model):
        param_options = dict(
            params=[
                {"name": "embedding", "params": model.node_embedding.parameters(), "weight_decay": 0.0},
                {"name": "products", "params": model.products.parameters(), "weight_decay": WD},
                {"name": "readouts", "params": model.readouts.parameters(), "weight_decay": 0.0},
            ],
            lr=args.lr,
            amsgrad=args.amsgrad,
        )
        return torch.optim.Adam(**param_options)
"""


def test_param_groups_passed_through_a_options_dict_are_read(tmp_path: Path) -> None:
    # MACE's run_train: torch.optim.Adam(**param_options), groups with their own decay
    loud = project(tmp_path / "loud", {"run_train.py": _OPTIONS.replace("WD", "args.weight_decay")})
    assert lines(found(loud, "SG101")) == [14]
    # the decayed group holds a module of a class the linter does not see, next to groups at 0:
    # a deliberate split, nothing claimed about biases or norms
    assert found(loud, "SG102") == []
    quiet = project(tmp_path / "quiet", {"run_train.py": _OPTIONS.replace("WD", "0.0")})
    assert found(quiet, "SG101") == []


_SEEN = """
    import torch
    import torch.nn as nn


    class GCN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Linear(8, 16)
            self.conv2 = nn.Linear(16, 2)


    model = GCN().to("cpu")
    optimizer = torch.optim.Adam(
        [dict(params=model.conv1.parameters(), weight_decay=5e-4), dict(params=model.conv2.parameters(), weight_decay=0)],
        lr=0.01,
    )
"""


def test_a_whole_module_group_of_a_visible_class_moved_to_a_device_is_sg102(
    tmp_path: Path,
) -> None:
    # the GCN layer-wise recipe: conv1 (a biased Linear) decayed, conv2 not; `.to(device)` keeps
    # the class visible
    loud = project(tmp_path / "loud", {"train.py": _SEEN})
    assert lines(found(loud, "SG102")) == [13]
    quiet = project(
        tmp_path / "quiet",
        {"train.py": _SEEN.replace("nn.Linear(8, 16)", "nn.Linear(8, 16, bias=False)")},
    )
    assert found(quiet, "SG102") == []


# -- an explicit L2 computed by a loss module of the tree ------------------------------------------

_REG_MODULE = """
    import torch
    import torch.nn as nn


    class RegularizationLoss(nn.Module):
        def __init__(self, dense_l2=0.0):
            super().__init__()
            self.dense_l2 = dense_l2

        def forward(self, model):
            reg_loss = 0.0
            for param in model.parameters():
                if self.dense_l2 > 0:
                    reg_loss += self.dense_l2 * torch.sum(param**2)
            return reg_loss
"""

_REG_TRAINER = """
    import torch

    from loss_func import RegularizationLoss


    class Trainer:
        def __init__(self, model, dense_l2=L2):
            self.model = model
            self.optimizer = torch.optim.SGD(model.parameters(), lr=0.1, weight_decay=WD)
            self.reg_loss_fn = RegularizationLoss(dense_l2=dense_l2)
            self.criterion = torch.nn.BCELoss()

        def train_one_epoch(self, loader):
            for x, y in loader:
                loss = self.criterion(self.model(x), y)
                reg_loss = self.reg_loss_fn(self.model)
                loss = loss + reg_loss
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
"""


def test_an_l2_computed_by_a_loss_module_beside_a_decaying_optimizer_is_sg103(
    tmp_path: Path,
) -> None:
    # torch-rechub's RegularizationLoss: `reg_loss = self.reg_loss_fn(self.model)` joins the loss
    files = {"loss_func.py": _REG_MODULE, "trainer.py": _REG_TRAINER.replace("WD", "1e-5")}
    loud = project(
        tmp_path / "loud", {**files, "trainer.py": files["trainer.py"].replace("L2", "1e-4")}
    )
    sg103 = found(loud, "SG103")
    assert lines(sg103) == [17]
    assert "through `self.reg_loss_fn(self.model)`" in sg103[0].message
    # the module's factor decides whether it bites: 1e-4 by default here, 0 by default there
    assert sg103[0].data["activity"] == "active"
    off = project(
        tmp_path / "off", {**files, "trainer.py": files["trainer.py"].replace("L2", "0.0")}
    )
    assert [f.data["activity"] for f in found(off, "SG103")] == ["latent"]
    assert "dense_l2 > 0" in found(off, "SG103")[0].data["activity_reason"]
    # the optimizer does not decay: one regulariser only
    quiet = project(
        tmp_path / "quiet",
        {
            "loss_func.py": _REG_MODULE,
            "trainer.py": _REG_TRAINER.replace("WD", "0.0").replace("L2", "1e-4"),
        },
    )
    assert found(quiet, "SG103") == []


# -- layer-wise LR decay groups grown from a head group -------------------------------------------

_LLRD = """
    from torch.optim import AdamW
    from transformers import AutoModel


    def grouped(model, cfg):
        no_decay = ["bias", "LayerNorm.bias", "LayerNorm.weight"]
        groups = [{"params": [p for n, p in model.named_parameters() if "backbone" not in n], "lr": cfg.head_lr}]
        layers = LAYERS
        layers.reverse()
        lr = cfg.lr
        for layer in layers:
            lr *= cfg.llrd
            groups += [
                {"params": [p for n, p in layer.named_parameters() if not any(nd in n for nd in no_decay)],
                 "weight_decay": cfg.weight_decay, "lr": lr},
                {"params": [p for n, p in layer.named_parameters() if any(nd in n for nd in no_decay)],
                 "weight_decay": 0.0, "lr": lr},
            ]
        return groups


    def get_optimizer(model, cfg):
        return AdamW(grouped(model, cfg), lr=cfg.lr)
"""


def test_layer_wise_groups_over_the_embedding_module_decay_its_tables(tmp_path: Path) -> None:
    # the Kaggle DeBERTa LLRD recipe: the embeddings module is one of the layers, and the BERT
    # no-decay list names no embedding
    with_embeddings = "[model.backbone.embeddings] + list(model.backbone.encoder.layer)"
    loud = project(tmp_path / "loud", {"opt.py": _LLRD.replace("LAYERS", with_embeddings)})
    sg102 = found(loud, "SG102")
    assert lines(sg102) == [23]
    assert "the embedding tables of `model.backbone.embeddings`" in sg102[0].message
    # the loop runs over the encoder layers only: no embedding table in those groups
    quiet = project(
        tmp_path / "quiet",
        {"opt.py": _LLRD.replace("LAYERS", "list(model.backbone.encoder.layer)")},
    )
    assert found(quiet, "SG102") == []


# -- GaLore's regular parameters: everything but the projected Linear weights ---------------------

_GALORE = """
    import torch
    import torch.nn as nn
    from galore_torch import GaLoreAdamW


    def build(model, args):
        galore_params = []
        for module_name, module in model.named_modules():
            if isinstance(module, KIND) and any(key in module_name for key in ["attn", "mlp"]):
                galore_params.append(module.weight)
        ids = [id(p) for p in galore_params]
        regular_params = [p for p in model.parameters() if id(p) not in ids]
        param_groups = [{"params": regular_params}, {"params": galore_params, "rank": args.rank}]
        return GaLoreAdamW(param_groups, lr=args.lr, weight_decay=args.weight_decay)
"""


def test_the_complement_of_linear_weights_holds_every_no_decay_parameter(tmp_path: Path) -> None:
    loud = project(tmp_path / "loud", {"train.py": _GALORE.replace("KIND", "nn.Linear")})
    sg102 = found(loud, "SG102")
    assert lines(sg102) == [14]
    assert "but the nn.Linear weights picked for the other group" in sg102[0].message
    # picked by another test (any module with a weight, norms included): not read, silent
    quiet = project(tmp_path / "quiet", {"train.py": _GALORE.replace("KIND", "nn.Module")})
    assert found(quiet, "SG102") == []


# -- fastai v1's OptimWrapper with bn_wd ------------------------------------------------------------

_FASTAI = """
    from functools import partial

    import torch.nn as nn
    import torch.optim as optim

    from .fastai_optim import OptimWrapper


    def build_optimizer(model, optim_cfg):
        optimizer_func = partial(optim.Adam, betas=(0.9, 0.99))
        groups = [nn.Sequential(*model.children())]
        return OptimWrapper.create(optimizer_func, 3e-3, groups, wd=WD, true_wd=True BN)
"""


def test_fastai_optim_wrapper_with_bn_wd_decays_norms_and_biases(tmp_path: Path) -> None:
    # OpenPCDet's adam_onecycle: bn_wd=True puts BatchNorm parameters and biases in decay
    for bn in (", bn_wd=True", ""):
        loud = project(
            tmp_path / f"loud{len(bn)}",
            {"pkg/opt.py": _FASTAI.replace("WD", "0.01").replace(" BN", bn)},
        )
        sg102 = found(loud, "SG102")
        assert lines(sg102) == [12], bn
        assert (
            "puts the BatchNorm weights and biases and every bias in the decayed groups"
            in sg102[0].message
        )
    off = project(
        tmp_path / "off",
        {"pkg/opt.py": _FASTAI.replace("WD", "0.01").replace(" BN", ", bn_wd=False")},
    )
    assert found(off, "SG102") == []
    zero = project(
        tmp_path / "zero", {"pkg/opt.py": _FASTAI.replace("WD", "0.0").replace(" BN", "")}
    )
    assert found(zero, "SG102") == []


# -- an OpenMMLab config without paramwise_cfg ------------------------------------------------------

_MM = """
    model = dict(
        type="FCOS",
        backbone=dict(type="ResNet", depth=50, norm_cfg=dict(type="BN", requires_grad=True)),
        neck=dict(type="FPN", in_channels=[256, 512, 1024, 2048], out_channels=256),
    )
    OPTIMIZER
    lr_config = dict(policy="step", step=[8, 11])
    runner = dict(type="EpochBasedRunner", max_epochs=12)
"""


def test_an_openmmlab_config_optimizer_without_paramwise_cfg_is_sg102(tmp_path: Path) -> None:
    plain = 'optimizer = dict(type="SGD", lr=0.01, momentum=0.9, weight_decay=0.0001)'
    loud = project(tmp_path / "loud", {"configs/fcos.py": _MM.replace("OPTIMIZER", plain)})
    sg102 = found(loud, "SG102")
    assert lines(sg102) == [6]
    assert "has no paramwise_cfg" in sg102[0].message and sg102[0].data["activity"] == "active"
    wrapper = 'optim_wrapper = dict(optimizer=dict(type="AdamW", lr=1e-4, weight_decay=0.05))'
    assert lines(
        found(project(tmp_path / "w", {"c.py": _MM.replace("OPTIMIZER", wrapper)}), "SG102")
    ) == [6]
    # the exemption configured, a base file that may configure it, or no decay: silent
    exempt = plain[:-1] + ", paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0))"
    for name, text in (
        ("exempt", _MM.replace("OPTIMIZER", exempt)),
        ("base", '_base_ = ["./base.py"]\n' + textwrap.dedent(_MM).replace("OPTIMIZER", plain)),
        ("zero", _MM.replace("OPTIMIZER", plain.replace("0.0001", "0"))),
    ):
        assert found(project(tmp_path / name, {"c.py": text}), "SG102") == [], name


# -- the model a branch builds, read in that branch ----------------------------------------------

_BRANCH_MODELS = """
    import torch
    import torch.nn as nn


    class Shallow(nn.Module):
        def __init__(self, n):
            super().__init__()
            self.weight = nn.Parameter(torch.empty(n, n))


    def main(args):
        if args.shallow:
            model = Shallow(100)
            optimizer = torch.optim.SGD(model.parameters(), lr=1e-3, weight_decay=args.wd)
        else:
            model = nn.Sequential(nn.Linear(100, 10), nn.Linear(10, 100))
            optimizer = torch.optim.SGD(model.parameters(), lr=1e-3, weight_decay=args.wd)
        return optimizer
"""


def test_the_model_each_branch_builds_decides_that_branch(tmp_path: Path) -> None:
    # vae-cf: `--shallow` trains one weight matrix (nothing to exempt), the default a biased MLP
    root = project(tmp_path / "p", {"main.py": _BRANCH_MODELS})
    assert lines(found(root, "SG102")) == [17]


# -- a PEFT wrap behind a flag ----------------------------------------------------------------------

_GATED_LORA = """
    import argparse

    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM


    def main(args):
        model = AutoModelForCausalLM.from_pretrained("gpt2")
        GATE
            config = LoraConfig(r=args.lora_r, target_modules=["c_attn"], bias="none")
            model = get_peft_model(model, config)
        return torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.1)


    parser = argparse.ArgumentParser()
    parser.add_argument("--lora_r", type=int, default=DEFAULT)
"""


def test_a_peft_wrap_behind_a_flag_leaves_the_full_model_reported_under_it(tmp_path: Path) -> None:
    # the LoRA wrap runs only with --lora_r > 0 (default 0): the whole model trains and decays
    off = project(
        tmp_path / "off",
        {"train.py": _GATED_LORA.replace("GATE", "if args.lora_r > 0:").replace("DEFAULT", "0")},
    )
    sg102 = found(off, "SG102")
    assert lines(sg102) == [13]
    assert "trains whole unless `args.lora_r > 0`" in sg102[0].message
    assert sg102[0].data["activity"] == "active"
    on = project(
        tmp_path / "on",
        {"train.py": _GATED_LORA.replace("GATE", "if args.lora_r > 0:").replace("DEFAULT", "8")},
    )
    assert [f.data["activity"] for f in found(on, "SG102")] == ["latent"]
    # the wrap always runs (a constant test, or none): adapters only, silent
    for gate in ("if True:", "for _ in range(1):"):
        always = project(
            tmp_path / gate[:3].strip(),
            {"train.py": _GATED_LORA.replace("GATE", gate).replace("DEFAULT", "8")},
        )
        assert found(always, "SG102") == [], gate


# -- weight_decay forwarded through a factory's own **kwargs -----------------------------------------

_FORWARD = """
    import torch.optim as optim


    def get_optimizer(name, groups, lr, **kwargs):
        if name.lower() == "sgd":
            return optim.SGD(groups, lr=lr, **kwargs)
        if name.lower() == "adam":
            return optim.Adam(groups, lr=lr, **kwargs)
        return optim.AdamW(groups, lr=lr, **kwargs)


    def configure(model, cfg):
        return get_optimizer(cfg.optimizer, model.parameters(), lr=cfg.lr, PASSED)
"""


def test_weight_decay_forwarded_through_a_factorys_kwargs_is_read(tmp_path: Path) -> None:
    # DecisionTransformerInterpretability: every caller passes weight_decay into **kwargs
    loud = project(
        tmp_path / "loud", {"utils.py": _FORWARD.replace("PASSED", "weight_decay=cfg.wd")}
    )
    sg101 = found(loud, "SG101")
    assert lines(sg101) == [8]
    assert "weight_decay=cfg.wd" in sg101[0].message
    # no caller passes one: Adam's default of 0, nothing to report
    quiet = project(
        tmp_path / "quiet", {"utils.py": _FORWARD.replace("PASSED", "betas=(0.9, 0.99)")}
    )
    assert found(quiet, "SG101") == []
