"""Round-4 window / AMP / DDP shapes of `stepguard lint` (issue 13), each bad and good.

- SG208: a model handed to a trainer (``Trainer(model, ...)``, ``train(model, ...)``) from a
  module whose import the tree cannot resolve, in a tree that wraps one model in DDP elsewhere
  (an ``mp.spawn`` launcher);
- SG212: the forward run by a helper (``loss = train_batch(model, batch)``) before ``with
  accelerator.accumulate(model):``;
- SG210: a prepared optimizer's ``zero_grad()`` at the top of ``accumulate()`` really wipes the
  window on the sync micro-batch (checked against accelerate itself, on CPU);
- activity: an ``if`` on a run setting that was not read (``if config.training.grad_clip:``, a
  configured string choice) leaves a window/AMP finding latent; ``B, T = 16, 1024`` unpacks;
  ``torch.device("cuda" if torch.cuda.is_available() else "cpu").type`` is "cuda";
- SG211: the message says when the scaler can skip (``enabled=...``); a value imported from a
  module that was not read is named as such.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import torch

from stepguard.lint import lint_paths
from stepguard.lint import lint_source as _lint_source


def lint_source(source: str, path: str = "train.py") -> list:
    """The findings (with their activity) of one file linted on its own."""
    return [v.finding for v in _lint_source(source, path)]


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def _codes(root: Path) -> dict[str, list]:
    out: dict[str, list] = {}
    for f in lint_paths([root]).findings:
        out.setdefault(f.code, []).append(f)
    return out


# -- SG208: DDP built in another module, model handed in -----------------------------------------

LAUNCH = """
    import torch
    import torch.multiprocessing as mp
    from torch.nn.parallel import DistributedDataParallel as DDP

    from src.engine import Trainer


    def worker(rank, world_size, config):
        model = build_model(config).to(rank)
        model = DDP(model, device_ids=[rank])
        Trainer(model, config).fit(make_loader(rank, world_size))


    if __name__ == "__main__":
        n = torch.cuda.device_count()
        mp.spawn(worker, args=(n, Config()), nprocs=n)
"""

TRAINER = """
    import torch


    class Trainer:
        def __init__(self, model, config):
            self.model = model
            self.config = config
            self.optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

        def fit(self, loader):
            k = self.config.accum
            for i, (x, y) in enumerate(loader):
                loss = torch.nn.functional.mse_loss(self.model(x), y) / k
                loss.backward(){sync}
                if (i + 1) % k == 0:
                    self.optimizer.step()
                    self.optimizer.zero_grad()
"""

CONFIG = """
    from dataclasses import dataclass


    @dataclass
    class Config:
        accum: int = 8
"""


def test_sg208_trainer_gets_a_ddp_model_built_by_a_launcher_module(tmp_path: Path) -> None:
    # The trainer's module is imported as `src.engine` but linted from inside `src/`'s parent
    # layout that does not resolve: the wrapper is found in the tree all the same.
    root = _write(
        tmp_path,
        {"launch.py": LAUNCH, "engine.py": TRAINER.format(sync=""), "config.py": CONFIG},
    )
    (sg208,) = _codes(root)["SG208"]
    assert sg208.path.endswith("engine.py") and sg208.line == 15
    assert "`self.model` (DistributedDataParallel" in sg208.message
    assert "launch.py:11" in sg208.message
    assert sg208.data["activity"] == "active"
    assert "k=8 from" in sg208.message


def test_sg208_silent_when_the_tree_switches_sync_or_wraps_nothing(tmp_path: Path) -> None:
    synced = _write(
        tmp_path / "synced",
        {
            "launch.py": LAUNCH,
            # the project skips the all-reduce by hand somewhere: it knows about sync
            "engine.py": TRAINER.format(
                sync="\n                self.model.require_backward_grad_sync = True"
            ),
            "config.py": CONFIG,
        },
    )
    assert "SG208" not in _codes(synced)
    no_ddp = _write(
        tmp_path / "single",
        {
            "launch.py": LAUNCH.replace("model = DDP(model, device_ids=[rank])", "pass"),
            "engine.py": TRAINER.format(sync=""),
            "config.py": CONFIG,
        },
    )
    assert "SG208" not in _codes(no_ddp)


def test_sg208_silent_when_the_tree_wraps_two_different_models(tmp_path: Path) -> None:
    two = LAUNCH.replace(
        "model = DDP(model, device_ids=[rank])",
        "model = DDP(model, device_ids=[rank])\n        critic = DDP(critic, device_ids=[rank])",
    )
    root = _write(
        tmp_path, {"launch.py": two, "engine.py": TRAINER.format(sync=""), "config.py": CONFIG}
    )
    assert "SG208" not in _codes(root)  # which one the trainer runs is not known


def test_sg208_function_parameter_model_from_unresolved_import(tmp_path: Path) -> None:
    loop = """
        def train(model, loader, optimizer, k=4):
            for i, (x, y) in enumerate(loader):
                loss = model(x, y) / k
                loss.backward()
                if (i + 1) % k == 0:
                    optimizer.step()
                    optimizer.zero_grad()
    """
    main = """
        import torch
        from torch.nn.parallel import DistributedDataParallel

        from pkg.loops import train


        def main(rank):
            net = DistributedDataParallel(Net().cuda(rank), device_ids=[rank])
            train(net, loader(), torch.optim.AdamW(net.parameters(), weight_decay=0.0))
    """
    root = _write(tmp_path, {"loops.py": loop, "main.py": main})
    (sg208,) = _codes(root)["SG208"]
    assert sg208.path.endswith("loops.py") and "`model` (DistributedDataParallel" in sg208.message
    # Linted alone, the loop file shows no DDP: nothing to report.
    alone = lint_source(textwrap.dedent(loop), "loops.py")
    assert [f.code for f in alone] == []


# -- SG212: the forward in a helper before accumulate() -------------------------------------------

ACCUMULATE = """
    import torch
    from accelerate import Accelerator


    def forward_loss(model, batch):
        return model(**batch).loss


    def main(loader, model, k=8):
        accelerator = Accelerator(gradient_accumulation_steps=k)
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.0)
        model, optimizer, loader = accelerator.prepare(model, optimizer, loader)
        for batch in loader:
{body}
"""

BEFORE = """\
            loss = forward_loss(model, batch)
            with accelerator.accumulate(model):
                accelerator.backward(loss)
                optimizer.step()
                optimizer.zero_grad()"""

INSIDE = """\
            with accelerator.accumulate(model):
                loss = forward_loss(model, batch)
                accelerator.backward(loss)
                optimizer.step()
                optimizer.zero_grad()"""

NOT_A_FORWARD = """\
            batch = move_to(batch, accelerator.device)
            with accelerator.accumulate(model):
                loss = forward_loss(model, batch)
                accelerator.backward(loss)
                optimizer.step()
                optimizer.zero_grad()"""


def test_sg212_forward_in_a_helper_before_accumulate() -> None:
    found = lint_source(textwrap.dedent(ACCUMULATE.format(body=BEFORE)), "train.py")
    (sg212,) = [f for f in found if f.code == "SG212"]
    assert sg212.line == 16
    assert "`forward_loss(model, batch)`, which runs the forward of `model`" in sg212.message
    for body in (INSIDE, NOT_A_FORWARD):
        found = lint_source(textwrap.dedent(ACCUMULATE.format(body=body)), "train.py")
        assert [f.code for f in found] == [], body


def test_sg212_helper_that_does_not_call_the_model_is_not_a_forward() -> None:
    source = textwrap.dedent(ACCUMULATE.format(body=BEFORE))
    source = source.replace("return model(**batch).loss", "return batch['loss']")
    assert [f.code for f in lint_source(source, "train.py")] == []


# -- SG210: zero_grad at the top of accumulate(), checked against accelerate ----------------------

ZERO_FIRST = """
    import torch
    from accelerate import Accelerator


    def window_grad(xs, zero_first, k=4):
        accelerator = Accelerator(gradient_accumulation_steps=k, cpu=True)
        model = torch.nn.Linear(3, 1, bias=False)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.0)
        model, optimizer = accelerator.prepare(model, optimizer)
        seen = None
        for x in xs:
            with accelerator.accumulate(model):
                if zero_first:
                    optimizer.zero_grad()
                accelerator.backward(model(x).sum())
                if accelerator.sync_gradients:
                    seen = model.weight.grad.clone()
                optimizer.step()
                if not zero_first:
                    optimizer.zero_grad()
        return seen
"""


def test_sg210_prepared_zero_grad_at_the_top_of_accumulate_wipes_the_window() -> None:
    pytest.importorskip("accelerate")
    namespace: dict = {}
    exec(compile(textwrap.dedent(ZERO_FIRST), "zero_first.py", "exec"), namespace)
    xs = [torch.full((1, 3), float(i + 1)) for i in range(4)]
    wiped = namespace["window_grad"](xs, zero_first=True)
    kept = namespace["window_grad"](xs, zero_first=False)
    # accelerate divides each micro-batch's loss by k: the window's gradient is the mean of the
    # four inputs (2.5); zeroing at the top keeps only the last micro-batch (4 / 4 = 1.0).
    torch.testing.assert_close(kept, torch.full((1, 3), 2.5))
    torch.testing.assert_close(wiped, torch.full((1, 3), 1.0))
    # The linter reports the first shape and not the second.
    loop = """
        import torch
        from accelerate import Accelerator


        def train(model, loader, k=4):
            accelerator = Accelerator(gradient_accumulation_steps=k)
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            model, optimizer, loader = accelerator.prepare(model, optimizer, loader)
            for x in loader:
                with accelerator.accumulate(model):
{body}"""
    first = " " * 20 + "optimizer.zero_grad()\n" + STEP
    after = STEP + " " * 20 + "optimizer.zero_grad()\n"
    assert [f.code for f in lint_source(textwrap.dedent(loop.format(body=first)))] == ["SG210"]
    assert [f.code for f in lint_source(textwrap.dedent(loop.format(body=after)))] == []


STEP = " " * 20 + "accelerator.backward(model(x).sum())\n" + " " * 20 + "optimizer.step()\n"


# -- activity ---------------------------------------------------------------------------------

CLIP = """
    import torch
    from torch.nn.utils import clip_grad_norm_


    def train(model, loader, optimizer, config):
        scaler = torch.cuda.amp.GradScaler()
        for x, y in loader:
            loss = model(x, y)
            scaler.scale(loss).backward()
            if {test}:
                clip_grad_norm_(model.parameters(), 1.0)
            scaler.step(optimizer)
            scaler.update()
            optimizer.zero_grad()
"""


def test_clip_behind_an_unread_config_setting_is_latent() -> None:
    (sg204,) = lint_source(textwrap.dedent(CLIP).format(test="config.training.grad_clip"))
    assert sg204.data["activity"] == "latent"
    assert "only if `config.training.grad_clip` is true" in sg204.message
    # A configured string choice is a setting too.
    (sg204,) = lint_source(textwrap.dedent(CLIP).format(test="config.clip_mode == 'norm'"))
    assert sg204.data["activity"] == "latent"
    # A run-time test is not a setting: it holds on some iterations, the finding is active.
    (sg204,) = lint_source(textwrap.dedent(CLIP).format(test="torch.isfinite(loss)"))
    assert sg204.data["activity"] == "active"


def test_clip_behind_a_config_setting_with_a_default_is_active(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "train.py": CLIP.format(test="config.grad_clip"),
            "config.py": CONFIG.replace("accum: int = 8", "grad_clip: float = 1.0"),
        },
    )
    (sg204,) = _codes(root)["SG204"]
    assert sg204.data["activity"] == "active"
    assert "grad_clip=1 from" in sg204.message


def test_tuple_unpacked_module_constants_resolve_the_window_length() -> None:
    source = textwrap.dedent(
        """
        import torch

        B, T = 16, 1024
        total = 524288
        k = total // (B * T)
        for step in range(100):
            for micro in range(k):
                optimizer.zero_grad()
                loss = model(next(batches)) / k
                loss.backward()
            optimizer.step()
        """
    )
    (sg210,) = [f for f in lint_source(source) if f.code == "SG210"]
    assert sg210.data["activity"] == "active" and "k=32 from" in sg210.message
    unresolved = source.replace("B, T = 16, 1024", "B, T = sizes()")
    (sg210,) = [f for f in lint_source(unresolved) if f.code == "SG210"]
    assert sg210.data["activity"] == "latent"


AMP_ON_CUDA = """
    import torch


    def main(model, loader, optimizer, scheduler):
        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        use_amp = device.type == {kind!r}
        scaler = torch.cuda.amp.GradScaler(enabled=use_amp)
        for x, y in loader:
            with torch.autocast(device_type=device.type, enabled=use_amp):
                loss = model(x.to(device), y.to(device))
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            scheduler.step()
            optimizer.zero_grad()
"""


def test_amp_on_when_the_script_targets_cuda() -> None:
    (sg211,) = lint_source(textwrap.dedent(AMP_ON_CUDA).format(kind="cuda"))
    assert sg211.data["activity"] == "active"
    assert "which it can do only while it is enabled (`enabled=use_amp`)" in sg211.message
    (sg211,) = lint_source(textwrap.dedent(AMP_ON_CUDA).format(kind="mps"))
    assert sg211.data["activity"] == "latent"


def test_scaler_enabled_by_constants_of_a_module_that_was_not_read() -> None:
    source = textwrap.dedent(
        """
        import torch
        from utils import DTYPE, USE_AMP


        def main(model, loader, optimizer, scheduler):
            scaler = torch.amp.GradScaler("cuda", enabled=USE_AMP and DTYPE == torch.float16)
            for x in loader:
                scaler.scale(model(x)).backward()
                scaler.step(optimizer)
                scaler.update()
                scheduler.step()
                optimizer.zero_grad()
        """
    )
    (sg211,) = lint_source(source)
    assert sg211.data["activity"] == "latent"
    assert "only while it is enabled (`enabled=USE_AMP and DTYPE == torch.float16`)" in (
        sg211.message
    )
    assert "`USE_AMP` is imported from `utils`, which was not read" in sg211.message
