"""Real checkpointing under stepguard: save mid-training, resume in a fresh process, same result.

For the Hugging Face Trainer (callback, ``save_steps=2``), Lightning (its default
`ModelCheckpoint`) and Accelerate (``save_state`` / ``load_state`` under the Monitor): the run
saves checkpoints while monitored (the Monitor used to make them unpicklable, issue 11), a new
Python process resumes from the mid-training checkpoint, and the resumed run ends with the very
same parameters as the uninterrupted one: bitwise (``torch.equal``), on CPU, dropout on (so the
RNG state is part of what must resume). The training runs are in `checkpoint_workers.py`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch
from accelerate.state import AcceleratorState, GradientState
from checkpoint_workers import TRAIN

HERE = Path(__file__).resolve().parent


@pytest.fixture(autouse=True)
def fresh_accelerate_state() -> Iterator[None]:
    # The Trainer and Accelerator keep process-global state: leave none behind.
    AcceleratorState._reset_state(reset_partial_state=True)
    GradientState._reset_state()
    yield
    AcceleratorState._reset_state(reset_partial_state=True)
    GradientState._reset_state()


def resume_in_fresh_process(name: str, out: Path, checkpoint: Path) -> None:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": ""}
    proc = subprocess.run(
        [sys.executable, str(HERE / "checkpoint_workers.py"), name, str(out), str(checkpoint)],
        cwd=out,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "checkpoint"),
    [
        ("transformers", "checkpoint-4"),  # Trainer save_steps=2: 2, 4, 6 of 6 steps
        ("lightning", "mid.ckpt"),  # ModelCheckpoint's file after epoch 1 of 3
        ("accelerate", "mid"),  # accelerator.save_state after step 4 of 12
    ],
)
def test_checkpoint_mid_training_resumes_in_a_fresh_process_bit_identically(
    name: str, checkpoint: str, tmp_path: Path
) -> None:
    first, second = tmp_path / "uninterrupted", tmp_path / "resumed"
    first.mkdir()
    second.mkdir()
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        TRAIN[name](first)  # monitored, checkpointing on, saves mid-training and at the end
    finally:
        torch.set_num_threads(before)
    saved = first / checkpoint
    assert saved.exists(), sorted(p.name for p in first.iterdir())
    resume_in_fresh_process(name, second, saved)
    full = torch.load(first / "final.pt")
    resumed = torch.load(second / "final.pt")
    assert full.keys() == resumed.keys()
    for key in full:
        assert torch.equal(full[key], resumed[key]), key
