"""Project mode and active/latent findings: the linted tree read as one program.

The fixture projects under tests/lint_fixtures/projects/ each spread a training setup over
several files: an optimizer factory and a runner class in their own modules, a loss-scaler object
that steps under a flag, a TrainingArguments subclass; values come from argparse defaults, a YAML
config and a launch script. Each finding must say whether it bites with what the project ships
(active, with the source of the value) or only under another setting (latent, with the condition).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from stepguard.findings import Finding
from stepguard.lint import lint_paths, lint_source
from stepguard.lint._cli import main as cli_main
from stepguard.lint._configs import parse_config
from stepguard.lint._launch import parse_launch_script

PROJECTS = Path(__file__).parent / "lint_fixtures" / "projects"
FIXTURES = Path(__file__).parent / "lint_fixtures"


def by_code(findings: list[Finding]) -> dict[str, Finding]:
    out: dict[str, Finding] = {}
    for f in findings:
        out.setdefault(f.code, f)
    return out


def test_runner_project_resolves_factory_config_and_launch_script() -> None:
    report = lint_paths([PROJECTS / "runner"])
    found = by_code(report.findings)
    assert sorted(found) == ["SG101", "SG102", "SG201", "SG208"]
    # The optimizer is built in optim.py from args.weight_decay; the config sets it to 0.05.
    sg101 = found["SG101"]
    assert sg101.path is not None and sg101.path.endswith("optim.py")
    assert sg101.data["activity"] == "active"
    assert sg101.data["activity_reason"].startswith("weight_decay=0.05 from ")
    assert sg101.data["activity_reason"].endswith(os.path.join("configs", "base.yaml") + ":4")
    # The window is in runner.py, k comes from the launch script; DDP is built in train.py.
    sg201 = found["SG201"]
    assert sg201.path is not None and sg201.path.endswith("runner.py")
    assert sg201.data["activity_reason"] == (
        "gradient_accumulation_steps=8 from "
        + os.path.join(str(PROJECTS / "runner"), "scripts", "train.sh")
        + ":3"
    )
    sg208 = found["SG208"]
    assert sg208.data["activity"] == "active"
    assert "world size=4 from" in sg208.data["activity_reason"]
    assert "train.py" in sg208.message  # names where the DDP wrapper was built
    assert report.summary["active"] == len(report.findings) == 4
    assert sg201.message.endswith("[active: " + sg201.data["activity_reason"] + "]")


def test_one_directory_path_without_a_list_is_the_same_project() -> None:
    # `lint_paths` takes one path too; the project's roots (its configs and launch scripts) must
    # come from that path, not from the characters of the string.
    def shown(report: object) -> list[tuple[str | None, int | None, str, str]]:
        return [
            (f.path, f.line, f.code, f.data["activity_reason"])
            for f in report.findings  # type: ignore[attr-defined]
        ]

    listed = lint_paths([PROJECTS / "runner"])
    assert shown(lint_paths(str(PROJECTS / "runner"))) == shown(listed)
    assert shown(lint_paths(PROJECTS / "runner")) == shown(listed)
    assert lint_paths(str(PROJECTS / "runner")).summary["active"] == 4


def test_same_project_without_launch_script_or_config_is_latent(tmp_path: Path) -> None:
    project = tmp_path / "runner"
    shutil.copytree(PROJECTS / "runner", project)
    shutil.rmtree(project / "scripts")
    shutil.rmtree(project / "configs")
    found = by_code(lint_paths([project]).findings)
    assert {f.data["activity"] for f in found.values()} == {"latent"}
    assert found["SG201"].data["activity_reason"] == (
        f"only if gradient_accumulation_steps > 1; default 1 from {project / 'train.py'}:18"
    )
    assert found["SG101"].data["activity_reason"] == (
        f"only if weight_decay > 0; default 0 from {project / 'train.py'}:17"
    )


def test_a_file_linted_alone_says_what_it_cannot_resolve() -> None:
    report = lint_paths([PROJECTS / "runner" / "runner.py"])
    assert [f.code for f in report.findings] == ["SG201"]  # the DDP wrapper is in train.py
    (sg201,) = report.findings
    assert sg201.data["activity"] == "latent"
    assert "not resolved" in sg201.data["activity_reason"]


def test_loss_scaler_object_from_another_module_makes_a_window() -> None:
    (sg208,) = lint_paths([PROJECTS / "mae_like"]).findings
    assert sg208.code == "SG208" and sg208.path is not None
    assert sg208.path.endswith("engine.py") and sg208.line == 8
    reason = sg208.data["activity_reason"]
    assert reason.startswith("accum_iter=8 from ") and "world size=8 from " in reason
    assert "pretrain.sh:3" in reason


def test_schedule_length_set_by_the_caller_of_a_scheduler_helper_in_another_module(
    tmp_path: Path,
) -> None:
    # lib/optim.py builds the scheduler with `num_training_steps=args.num_training_steps`, which
    # train.py sets to `epochs * len(loader)` (micro-batches) and steps on every micro-batch:
    # consistent, so no SG202. Sized in optimizer steps (`// args.accum`), it runs k times fast.
    assert lint_paths([PROJECTS / "sched_helper"]).findings == []
    project = tmp_path / "sched_helper"
    shutil.copytree(PROJECTS / "sched_helper", project)
    train = project / "train.py"
    text = train.read_text(encoding="utf-8")
    sized = "args.num_training_steps = args.epochs * len(loader)"
    train.write_text(text.replace(sized, sized + " // args.accum"), encoding="utf-8")
    (sg202,) = lint_paths([project]).findings
    assert sg202.code == "SG202" and sg202.line == 16
    assert sg202.data["activity_reason"].startswith("accum=8 from ")


def test_objects_passed_by_keyword_to_an_epoch_function_in_another_module() -> None:
    # train.py builds the DDP model and a warmup schedule sized in batches (samples // (batch *
    # world)) and hands them by keyword to engine.train_one_epoch, which accumulates `accum`
    # micro-batches per step; a StepLR stepped once per epoch after it is not SG211.
    report = lint_paths([PROJECTS / "split_engine"])
    found = {(Path(f.path or "").name, f.code): f for f in report.findings}
    assert sorted(found) == [("engine.py", "SG208"), ("train.py", "SG205")]
    sg205 = found[("train.py", "SG205")]
    assert sg205.line == 21 and "engine.py:13" in sg205.message
    assert "counts micro-batches (`args.num_samples // (args.batch_size" in sg205.message
    assert sg205.data["activity_reason"].startswith("accum=4 from ")
    assert "train.py:19" in found[("engine.py", "SG208")].message  # where DDP was built


def test_training_arguments_subclass_defaults() -> None:
    found = by_code(lint_paths([PROJECTS / "hf_args"]).findings)
    assert found["SG101"].data["activity"] == "active"
    assert found["SG101"].data["activity_reason"].startswith("weight_decay=0.01 from ")
    assert found["SG201"].data["activity_reason"] == (
        "only if gradient_accumulation_steps > 1; default 1 from transformers' TrainingArguments"
    )


def test_every_fixture_finding_is_active_or_latent_with_a_reason() -> None:
    seen = 0
    for path in sorted(FIXTURES.glob("SG*/bad_*.py")):
        for v in lint_source(path.read_text(encoding="utf-8"), str(path)):
            data = v.finding.data
            assert data["activity"] in ("active", "latent"), path
            assert data["activity_reason"] and v.finding.message.endswith("]"), path
            seen += 1
    assert seen > 80


@pytest.fixture
def mixed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """One active finding (a literal weight decay) and one latent one (k defaults to 1)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.py").write_text(
        "import argparse\n"
        "import torch\n"
        "p = argparse.ArgumentParser()\n"
        "p.add_argument('--accum', type=int, default=1)\n"
        "args = p.parse_args()\n"
        "def train(model, loader, optimizer):\n"
        "    for i, (x, y) in enumerate(loader):\n"
        "        optimizer.zero_grad()\n"
        "        torch.nn.functional.mse_loss(model(x), y).backward()\n"
        "        if (i + 1) % args.accum == 0:\n"
        "            optimizer.step()\n"
    )
    (tmp_path / "z.py").write_text(
        "import torch\nopt = torch.optim.Adam(params, lr=1e-3, weight_decay=0.01)\n"
    )
    return tmp_path


def test_active_findings_come_first_and_active_only_filters(
    mixed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_main(["."]) == 1
    lines = capsys.readouterr().out.splitlines()
    codes = [(ln.split(":")[0], ln.split(" ")[1]) for ln in lines]
    assert codes == [("z.py", "SG101"), ("a.py", "SG210"), ("a.py", "SG201")]
    assert "[active: weight_decay=0.01 from z.py:2]" in lines[0]
    assert "[latent: only if accum > 1; default 1 from a.py:4]" in lines[2]
    assert cli_main([".", "--active-only"]) == 1
    assert [ln.split(" ")[1] for ln in capsys.readouterr().out.splitlines()] == ["SG101"]


def test_json_and_sarif_carry_the_activity(mixed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cli_main([".", "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert [(f["code"], f["activity"]) for f in doc["findings"]] == [
        ("SG101", "active"),
        ("SG210", "latent"),
        ("SG201", "latent"),
    ]
    assert doc["findings"][1]["activity_reason"] == "only if accum > 1; default 1 from a.py:4"
    cli_main([".", "--format", "sarif"])
    results = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    assert [r["properties"]["activity"] for r in results] == ["active", "latent", "latent"]
    assert results[0]["properties"]["activity_reason"] == "weight_decay=0.01 from z.py:2"


def test_the_linter_reads_yaml_without_importing_pyyaml(tmp_path: Path) -> None:
    shutil.copytree(PROJECTS / "runner", tmp_path / "runner")
    code = (
        "import sys\n"
        "from stepguard.lint import lint_paths\n"
        f"r = lint_paths([{str(tmp_path / 'runner')!r}])\n"
        "assert any('base.yaml' in f.data['activity_reason'] for f in r.findings)\n"
        "assert 'yaml' not in sys.modules and 'torch' not in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


YAML = """\
# training config
train:
  lr: 3.0e-4            # peak
  weight_decay: 0.05
  amp: yes
  name: "run-1"
  milestones: [10, 20]
  stages:
    - name: warmup
      steps: 100
model:
  dim: 512
  dropout: ~
"""


def test_yaml_reader_reads_block_mappings_with_lines() -> None:
    cfg = parse_config("c.yaml", YAML)
    entries = {k: (v, line) for k, v, line in cfg}
    assert entries == {
        "train.lr": (3.0e-4, 3),
        "train.weight_decay": (0.05, 4),
        "train.amp": (True, 5),
        "train.name": ("run-1", 6),
        "model.dim": (512, 12),
        "model.dropout": (None, 13),
    }
    assert cfg.notes == []


def test_yaml_reader_names_what_it_cannot_read(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    real = importlib.import_module

    def no_yaml(name: str, *args: object) -> object:
        if name == "yaml":
            raise ImportError(name)
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", no_yaml)
    text = "base: &b\n  lr: 0.1\nrun:\n  <<: *b\n  weight_decay: 0.01\n"
    cfg = parse_config("c.yaml", text)
    assert ("run.weight_decay", 0.01, 5) in list(cfg)
    assert len(cfg.notes) == 1 and "install PyYAML" in cfg.notes[0] and "anchor" in cfg.notes[0]
    monkeypatch.undo()
    if importlib.util.find_spec("yaml") is not None:  # with PyYAML, the file is read fully
        cfg = parse_config("c.yaml", text)
        assert cfg.notes == [] and ("run.lr", 0.1, 2) in list(cfg)


def test_json_and_toml_configs_give_entries_and_lines() -> None:
    cfg = parse_config(
        "ds.json", '{\n  "train_batch_size": 64,\n  "gradient_accumulation_steps": 8\n}'
    )
    assert list(cfg) == [("train_batch_size", 64, 2), ("gradient_accumulation_steps", 8, 3)]
    cfg = parse_config("c.toml", "[optim]\nlr = 0.1\nweight_decay = 5e-4\n")
    assert list(cfg) == [("optim.lr", 0.1, 2), ("optim.weight_decay", 5e-4, 3)]
    assert parse_config("bad.json", "{nope").notes[0].startswith("bad.json: not read (invalid JSON")
    assert list(parse_config("rows.json", "[1, 2]")) == []


SCRIPT = """\
#!/bin/bash
export GA=${GRAD_ACC:-8}
NPROC=4
CUDA_VISIBLE_DEVICES=0,1,2,3 torchrun --nproc_per_node=$NPROC --nnodes 2 train.py \\
    --config configs/a.yaml --gradient-accumulation-steps $GA --fp16 optim.wd=0.1
python -u finetune.py --lr=1e-4 >> log.txt 2>&1
accelerate launch --num_processes 8 --mixed_precision fp16 sft.py --weight_decay 0.0
deepspeed --num_gpus 2 pretrain.py --deepspeed ds.json
echo done
"""


def test_launch_scripts_give_options_configs_and_process_counts() -> None:
    torchrun, python, accel, ds = parse_launch_script("run.sh", SCRIPT)
    assert (torchrun.script, torchrun.line, torchrun.world_size) == ("train.py", 4, (8, 4))
    assert torchrun.options["gradient_accumulation_steps"] == (8, 4)
    assert torchrun.options["fp16"] == (True, 4) and torchrun.options["optim.wd"] == (0.1, 4)
    assert torchrun.configs == [("configs/a.yaml", 4)]
    assert torchrun.env["CUDA_VISIBLE_DEVICES"] == ("0,1,2,3", 4)
    assert torchrun.env["GA"] == ("8", 2)
    assert (python.script, python.options, python.world_size) == (
        "finetune.py",
        {"lr": (1e-4, 6)},
        None,
    )
    assert accel.world_size == (8, 7) and accel.options["weight_decay"] == (0.0, 7)
    assert accel.options["mixed_precision"] == ("fp16", 7)
    assert ds.world_size == (2, 8) and ds.configs == [("ds.json", 8)]


def test_linting_pauses_the_garbage_collector_and_restores_it() -> None:
    import gc

    from stepguard.lint._project import Project

    project = Project([])
    assert gc.isenabled()
    with pytest.raises(KeyError), project.linting():
        assert not gc.isenabled()
        raise KeyError("a failure inside")
    assert gc.isenabled()
    gc.disable()
    try:
        with project.linting():
            pass
        assert not gc.isenabled()  # left as it was
    finally:
        gc.enable()


def test_trainer_base_class_wrapping_modules_in_ddp_in_another_file() -> None:
    # SpeechBrain's shape: the base class (speechlib/core.py) wraps each module in DDP; the
    # recipe's fit_batch accumulates without no_sync. The sync twin enters the base class's
    # no_sync() around the forward and backward: silent.
    report = lint_paths([PROJECTS / "brain_ddp"])
    assert [(Path(f.path or "").name, f.line, f.code) for f in report.findings] == [
        ("train.py", 18, "SG208")
    ]
    sg208 = report.findings[0]
    assert "core.py:21" in sg208.message and "`Brain`" in sg208.message
    assert sg208.data["activity"] == "latent"
    assert lint_paths([PROJECTS / "brain_ddp_sync"]).findings == []
    # The forward may be a base-class method too (it reads the wrapped `self.modules`).
    found = lint_paths([PROJECTS / "brain_ddp_base_forward"]).findings
    assert [(Path(f.path or "").name, f.line, f.code) for f in found] == [("train.py", 15, "SG208")]


def test_scheduler_stepped_by_a_hook_after_a_grad_scaler_step_in_another_file() -> None:
    # detectron2's shape: the trainer loop (engine/train_loop.py) runs `self.run_step()` (whose
    # AMPTrainer override steps through a GradScaler), then every hook's after_step(); the
    # LRScheduler hook (engine/hooks.py) steps the scheduler whatever the scaler did. The hook
    # that checks the scale, and the same hook under an fp32 trainer, are silent.
    report = lint_paths([PROJECTS / "hooks_amp"])
    assert [(Path(f.path or "").name, f.line, f.code) for f in report.findings] == [
        ("hooks.py", 14, "SG211")
    ]
    sg211 = report.findings[0]
    assert "train_loop.py:34" in sg211.message and "`AMPTrainer.run_step`" in sg211.message
    # train.py builds the AMPTrainer only under `if args.amp:` (store_true, default False).
    assert sg211.data["activity"] == "latent"
    assert sg211.data["activity_reason"].startswith("only if `args.amp` is true; it is False")
    assert lint_paths([PROJECTS / "hooks_fp32"]).findings == []


def test_weight_decay_from_a_constructor_argument_passed_in_another_module(tmp_path: Path) -> None:
    # agent.py: Adam(decoder.parameters(), weight_decay=decoder_weight_lambda), the argument's
    # default 0; train.py builds Agent(..., decoder_weight_lambda=args.decoder_weight_lambda)
    # with an argparse default of 1e-7: coupled decay (SG101) on the decoder's biases too (SG102).
    report = lint_paths([PROJECTS / "rl_agent"])
    found = {(Path(f.path or "").name, f.line, f.code): f for f in report.findings}
    assert sorted(found) == [("agent.py", 19, "SG101"), ("agent.py", 19, "SG102")]
    for f in found.values():
        assert f.data["activity"] == "active"
        assert f.data["activity_reason"].startswith("weight_decay=1e-07 from ")
        assert f.data["activity_reason"].endswith("train.py:9")
    # The counterpart: the script leaves the argument at its default of 0, so nothing decays.
    project = tmp_path / "rl_agent"
    shutil.copytree(PROJECTS / "rl_agent", project)
    train = project / "train.py"
    train.write_text(
        train.read_text().replace(", decoder_weight_lambda=args.decoder_weight_lambda", "")
    )
    assert lint_paths([project]).findings == []


def test_param_groups_built_by_a_helper_in_another_module(tmp_path: Path) -> None:
    # utils/optim_utils.py builds Hugging Face-style groups whose no-decay list (a parameter
    # default) names the biases only: the norms and embeddings of the model decay. The helper that
    # also lists norms and embeddings (get_split_parameters) is the correct counterpart.
    report = lint_paths([PROJECTS / "grouped_helper"])
    (sg102,) = report.findings
    assert (Path(sg102.path or "").name, sg102.line, sg102.code) == ("train.py", 20, "SG102")
    assert "optim_utils.py:6 keeps only the biases" in sg102.message
    assert sg102.data["activity"] == "active"
    assert sg102.data["activity_reason"].startswith("weight_decay=0.01 from ")
    # A caller that passes its own no-decay list (norms included) makes the helper's default moot.
    project = tmp_path / "grouped_helper"
    shutil.copytree(PROJECTS / "grouped_helper", project)
    train = project / "train.py"
    train.write_text(
        train.read_text().replace(
            "get_optimizer_grouped_parameters(model, args.weight_decay)",
            'get_optimizer_grouped_parameters(model, args.weight_decay, ["bias", "LayerNorm", "embeddings"])',
        )
    )
    assert lint_paths([project]).findings == []


def test_ddp_built_by_a_helper_of_another_file_is_sg208_unless_no_sync() -> None:
    # `model, opt = distributed_opt(args, model, opt)` from nlg/gpu.py wraps the model in DDP in
    # one branch; the training loop gets it as a parameter and accumulates grad_acc micro-batches.
    found = [f for f in lint_paths([PROJECTS / "ddp_helper"]).findings if f.code == "SG208"]
    assert len(found) == 1
    assert found[0].path is not None and found[0].path.endswith("train.py")
    assert found[0].line == 26
    assert os.path.join("nlg", "gpu.py") + ":21" in found[0].message
    assert found[0].data["activity"] == "active"
    # The same project with the non-update micro-batches under model.no_sync(): nothing.
    synced = lint_paths([PROJECTS / "ddp_helper_sync"]).findings
    assert [f for f in synced if f.code == "SG208"] == []


def test_penalty_stored_under_a_key_imported_from_outside_the_tree_is_sg103() -> None:
    # models/base.py stores `out[LOSS_L2] = self.l2()` (a sum of squares over the parameters);
    # runners/runner.py adds `out[LOSS_L2] * self.l2s` to the loss under AdamW's weight decay. The
    # key is a constant of utils.keys, a module outside the linted tree: the same imported name
    # is the same key.
    found = [f for f in lint_paths([PROJECTS / "penalty_key"]).findings if f.code == "SG103"]
    assert [(os.path.basename(f.path or ""), f.line) for f in found] == [("runner.py", 21)]
    assert "base.py:26" in found[0].message
    # The same name imported from another module is another key: nothing.
    other = lint_paths([PROJECTS / "penalty_key_other"]).findings
    assert [f for f in other if f.code == "SG103"] == []


def test_optimizer_factory_gets_decaying_groups_from_its_callers_is_sg101() -> None:
    # lib/optimizers.py builds torch.optim.Adam(params, lr=lr, **kwargs): no decay of its own;
    # train.py passes the groups lib/groups.py builds, one with weight_decay=0.01 (coupled L2).
    found = [f for f in lint_paths([PROJECTS / "optimizer_factory"]).findings if f.code == "SG101"]
    assert [(os.path.basename(f.path or ""), f.line) for f in found] == [("optimizers.py", 8)]
    assert found[0].data["weight_decay"] == 0.01
    assert os.path.join("lib", "groups.py") + ":7" in found[0].message
    assert found[0].data["activity"] == "active"
    # The same factory given groups without decay: Adam decays nothing.
    quiet = lint_paths([PROJECTS / "optimizer_factory_nodecay"]).findings
    assert [f for f in quiet if f.code == "SG101"] == []


def test_lightning_step_interval_scheduler_under_an_fp16_trainer_in_another_file(
    tmp_path: Path,
) -> None:
    # module.py returns a scheduler with "interval": "step"; train.py builds the Trainer with
    # `precision=config["precision"]`, 16 in configs/train.yaml: Lightning steps the schedule after
    # every optimizer step call, also when the fp16 GradScaler skipped the step (SG211, active).
    report = lint_paths([PROJECTS / "lightning_fp16"])
    assert [(Path(f.path or "").name, f.line, f.code) for f in report.findings] == [
        ("module.py", 19, "SG211")
    ]
    sg211 = report.findings[0]
    assert sg211.data["activity"] == "active"
    assert "train.yaml:2" in sg211.data["activity_reason"]
    # The same project in bf16 has no GradScaler: the finding only bites if switched to fp16.
    project = tmp_path / "lightning_fp16"
    shutil.copytree(PROJECTS / "lightning_fp16", project)
    config = project / "configs" / "train.yaml"
    config.write_text(config.read_text().replace("precision: 16", "precision: bf16-mixed"))
    found = lint_paths([project]).findings
    assert [f.data["activity"] for f in found] == ["latent"]


def test_scheduler_after_an_engine_optimizer_wrapper_that_steps_through_a_grad_scaler(
    tmp_path: Path,
) -> None:
    # engine/core.py's initialize() returns (model, optimizer); under `if fp16:` the optimizer
    # comes from engine/amp.py's initialize(), an AMPOptimizer whose step() calls scaler.step.
    # train.py steps the scheduler right after optimizer.step(): SG211, latent on --fp16.
    report = lint_paths([PROJECTS / "amp_engine"])
    assert [(Path(f.path or "").name, f.line, f.code) for f in report.findings] == [
        ("train.py", 23, "SG211")
    ]
    sg211 = report.findings[0]
    assert "`AMPOptimizer.step`" in sg211.message
    assert sg211.data["activity"] == "latent"
    assert sg211.data["activity_reason"].startswith("only if fp16 is true")
    # The same loop stepping the scheduler only when the scale held, and an engine without the
    # AMP wrapper, are silent.
    guarded = tmp_path / "guarded"
    shutil.copytree(PROJECTS / "amp_engine", guarded)
    train = guarded / "train.py"
    train.write_text(
        train.read_text()
        .replace("        optimizer.step()\n", "        skipped = optimizer.step()\n")
        .replace(
            "        scheduler.step()\n", "        if not skipped:\n            scheduler.step()\n"
        )
    )
    assert lint_paths([guarded]).findings == []
    plain = tmp_path / "plain"
    shutil.copytree(PROJECTS / "amp_engine", plain)
    core = plain / "engine" / "core.py"
    core.write_text(
        core.read_text().replace(
            "    if fp16:\n        model, optimizer = amp.initialize(model, optimizer._optimizer)\n",
            "",
        )
    )
    assert lint_paths([plain]).findings == []


def test_optimizer_class_bound_to_configs_with_argbind(tmp_path: Path) -> None:
    # train.py: AdamW = argbind.bind(torch.optim.AdamW, ...) takes its keywords from conf/base.yml,
    # which sets betas and lr only: AdamW's own default weight_decay=0.01 decays every parameter.
    report = lint_paths([PROJECTS / "config_bound"])
    found = sorted((Path(f.path or "").name, f.line, f.code) for f in report.findings)
    assert found == [("train.py", 14, "SG102"), ("train.py", 16, "SG102")]
    for f in report.findings:
        assert "no config or launch option of the project sets AdamW.weight_decay" in f.message
        assert f.data["activity"] == "active"
    # A config that sets the bound class's weight_decay (in any scope) decides it: not reported.
    project = tmp_path / "config_bound"
    shutil.copytree(PROJECTS / "config_bound", project)
    with (project / "conf" / "base.yml").open("a") as handle:
        handle.write("AdamW.weight_decay: 0.0\n")
    assert lint_paths([project]).findings == []
    # Read without the project (no configs visible): the value is not known, nothing reported.
    source = (PROJECTS / "config_bound" / "train.py").read_text()
    assert lint_source(source, "train.py") == []
    assert lint_paths([PROJECTS / "config_bound" / "train.py"]).findings == []


def test_policy_groups_of_a_model_method_in_another_module_inherit_the_decay(
    tmp_path: Path,
) -> None:
    # models.py: get_optim_policies() puts the conv/linear biases (ps[1] under isinstance) and the
    # norm layers' parameters in groups that carry decay_mult=0 but no weight_decay; train.py
    # passes them to SGD(..., weight_decay=args.weight_decay) and never applies decay_mult.
    report = lint_paths([PROJECTS / "policy_groups"])
    (sg102,) = report.findings
    assert (Path(sg102.path or "").name, sg102.line, sg102.code) == ("train.py", 23, "SG102")
    assert "models.py:26 holds the parameters that must not decay" in sg102.message
    assert "ignores its `decay_mult`" in sg102.message
    assert sg102.data["activity"] == "active"
    assert sg102.data["activity_reason"].startswith("weight_decay=0.0005 from ")
    # The counterpart: the loop applies decay_mult to every group's weight_decay.
    project = tmp_path / "policy_groups"
    shutil.copytree(PROJECTS / "policy_groups", project)
    train = project / "train.py"
    train.write_text(
        train.read_text().replace(
            "    for clip, label in loader:\n",
            "    adjust_learning_rate(optimizer, args.lr, args.weight_decay)\n"
            "    for clip, label in loader:\n",
        )
    )
    assert lint_paths([project]).findings == []


def test_plain_accelerator_clip_is_sg204_active_when_the_launch_sets_fp16(tmp_path: Path) -> None:
    # train.py builds `Accelerator()` with no precision and clips with torch after
    # accelerator.backward; scripts/train.sh runs it with `accelerate launch --mixed_precision
    # fp16`: the gradients torch clips are scaled (SG204, active, from the launch line).
    report = lint_paths([PROJECTS / "accelerate_launch_fp16"])
    assert [(Path(f.path or "").name, f.line, f.code) for f in report.findings] == [
        ("train.py", 16, "SG204")
    ]
    assert report.findings[0].data["activity"] == "active"
    assert "train.sh:1" in report.findings[0].data["activity_reason"]
    # Launched without a precision, or the fp16 launch running another program of the tree: the
    # machine's accelerate config decides, so the finding stays, latent on that setting.
    for n, launch in enumerate(
        ("accelerate launch train.py\n", "accelerate launch --mixed_precision fp16 finetune.py\n")
    ):
        project = tmp_path / str(n)
        shutil.copytree(PROJECTS / "accelerate_launch_fp16", project)
        (project / "scripts" / "train.sh").write_text(launch)
        found = lint_paths([project]).findings
        assert [(f.line, f.code, f.data["activity"]) for f in found] == [(16, "SG204", "latent")], (
            found[0].data
        )
        assert "mixed_precision is 'fp16'" in found[0].data["activity_reason"]
    # Launched in bf16: nothing scales the loss, no finding.
    project = tmp_path / "bf16"
    shutil.copytree(PROJECTS / "accelerate_launch_fp16", project)
    (project / "scripts" / "train.sh").write_text(
        "accelerate launch --mixed_precision bf16 train.py\n"
    )
    assert lint_paths([project]).findings == []


def test_loss_function_from_outside_the_tree_is_assumed_a_mean_and_said_so(tmp_path: Path) -> None:
    # train.py backpropagates `loss_multi_task(...)` undivided in a window. With the function
    # outside the linted files it is taken to be a micro-batch mean, and the message says so;
    # defined in the tree, what it returns decides (here: already divided by the window length).
    train = (FIXTURES / "SG201" / "bad_30.py").read_text()
    (tmp_path / "train.py").write_text(train)
    found = lint_paths([tmp_path]).findings
    assert [(f.code, f.line) for f in found] == [("SG201", 16)]
    assert "assuming `loss_multi_task`, imported from `seqmodel.losses`" in found[0].message
    package = tmp_path / "seqmodel"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "losses.py").write_text(
        "import torch.nn.functional as F\n\n\n"
        "def loss_multi_task(out, y, k=4):\n    return F.cross_entropy(out, y) / k\n"
    )
    assert lint_paths([tmp_path]).findings == []
    # The same helper returning the undivided mean: followed, and no assumption to state.
    (package / "losses.py").write_text(
        "import torch.nn.functional as F\n\n\n"
        "def loss_multi_task(out, y):\n    return F.cross_entropy(out, y)\n"
    )
    found = lint_paths([tmp_path]).findings
    assert [(f.code, f.line) for f in found] == [("SG201", 16)]
    assert "assuming" not in found[0].message


def test_optimizer_from_a_project_module_outside_the_tree_is_read_by_its_name() -> None:
    # `from common.optimizers import Novograd`: the module is not in the linted tree, but its
    # path and the class name say optimizer; over every parameter it decays the norms (SG102),
    # over a 1-D split it does not.
    report = lint_paths([PROJECTS / "local_optimizer"])
    assert [(Path(f.path or "").name, f.line, f.code) for f in report.findings] == [
        ("train.py", 14, "SG102")
    ]
    assert report.findings[0].data["activity"] == "active"
    assert "Novograd" in report.findings[0].message


def test_factory_of_a_module_imported_by_a_runtime_name_sees_its_callers_parameters() -> None:
    # `importlib.import_module("optimizers." + cfg.optimizer).__getattribute__("Optimizer")`:
    # the factory in optimizers/sgd.py is given every parameter of the model (SG102, latent on
    # the unknown weight decay); given a 1-D split instead it stays silent.
    report = lint_paths([PROJECTS / "dynamic_optimizer"])
    assert [(Path(f.path or "").name, f.line, f.code) for f in report.findings] == [
        ("sgd.py", 5, "SG102")
    ]
    assert report.findings[0].data["activity"] == "latent"
    assert "self.model.parameters()" in report.findings[0].message
    assert lint_paths([PROJECTS / "dynamic_optimizer_groups"]).findings == []


# -- round 4 of the weight-decay rules: values that cross files ----------------------------------

_FACTORY = """import torch.optim as optim


def get_optimizer_and_scheduler(configs, params):
    lr = float(configs["train"]["lr"])
    optimizer = optim.AdamW(params=params, lr=lr)
    return optimizer, None
"""


def _tree(tmp_path: Path, files: dict[str, str]) -> list[Finding]:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return lint_paths([tmp_path]).findings


@pytest.mark.parametrize(
    ("passed", "fires"),
    [
        ("model.parameters()", True),  # torch AdamW's 0.01 over every parameter
        ('[p for n, p in model.named_parameters() if "lora_" in n]', False),  # adapters by name
    ],
)
def test_parameters_passed_by_keyword_to_a_factory_of_another_module(
    tmp_path: Path, passed: str, fires: bool
) -> None:
    run = (
        "from train import get_optimizer_and_scheduler\n\n\n"
        "def main(configs, model, loader):\n"
        f"    optimizer, _ = get_optimizer_and_scheduler(configs=configs, params={passed})\n"
        "    for batch in loader:\n"
        "        model(batch).backward()\n"
        "        optimizer.step()\n"
        "        optimizer.zero_grad()\n"
    )
    found = [f for f in _tree(tmp_path, {"train.py": _FACTORY, "run.py": run}) if f.code == "SG102"]
    assert len(found) == int(fires)
    if fires:
        assert found[0].path is not None and found[0].path.endswith("train.py")
        assert "0.01 (AdamW's default)" in found[0].message
        assert found[0].data["activity"] == "active"


_MODEL = """import torch.nn as nn


class Decoder(nn.Module):
    def __init__(self, vocab, dim):
        super().__init__()
        self.tok_emb = nn.Embedding(vocab, dim)
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, vocab, bias=False)
        self.head.weight = self.tok_emb.weight
"""

_SPLIT = """import torch

from model import Decoder


def build_optimizer(model, wd):
    decay = [p for n, p in model.named_parameters() if p.requires_grad and p.ndim >= 2]
    rest = [p for n, p in model.named_parameters() if p.requires_grad and p.ndim < 2]
    return torch.optim.AdamW([{"params": decay, "weight_decay": wd}, {"params": rest, "weight_decay": 0.0}])


optimizer = build_optimizer(Decoder(32000, 512), wd=0.1)
"""


def test_dimension_split_over_a_model_class_of_another_module(tmp_path: Path) -> None:
    (sg102,) = [
        f for f in _tree(tmp_path, {"model.py": _MODEL, "train.py": _SPLIT}) if f.code == "SG102"
    ]
    assert "`tok_emb` of `Decoder` (`tok_emb` tied to the output head `head`)" in sg102.message
    assert "nanoGPT and GPT-2 do this deliberately" in sg102.message
    assert sg102.data["activity"] == "active"


def test_dimension_split_over_a_model_the_tree_does_not_define_is_silent(tmp_path: Path) -> None:
    split = _SPLIT.replace("from model import Decoder", "from transformers import AutoModel")
    split = split.replace("Decoder(32000, 512)", 'AutoModel.from_pretrained("gpt2")')
    assert [f.code for f in _tree(tmp_path, {"train.py": split})] == []


def test_same_file_method_callers_on_another_object_but_not_for_generic_names() -> None:
    import ast

    from stepguard.lint._objects import callers
    from stepguard.lint._scan import scan

    source = (
        "class GPT:\n"
        "    def configure_optimizers(self, weight_decay):\n"
        "        return weight_decay\n\n\n"
        "class Warmup:\n"
        "    def step(self, epoch):\n"
        "        return epoch\n\n\n"
        "raw_model = GPT()\n"
        "optimizer = raw_model.configure_optimizers(weight_decay=0.1)\n"
        "optimizer.step()\n"
    )
    facts = scan(source, ast.parse(source))
    configure, step = facts.functions["configure_optimizers"][0], facts.functions["step"][0]
    assert [c.lineno for _, c in callers(facts, configure)] == [12]
    assert callers(facts, step) == []  # `optimizer.step()` is not Warmup.step
