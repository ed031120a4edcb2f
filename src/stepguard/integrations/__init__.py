"""Optional integrations of stepguard with training frameworks and loggers.

Each submodule needs its framework, installed with the matching extra, and is imported explicitly;
importing this package imports none of the frameworks (so ``import stepguard.integrations`` is cheap and works
without any extra):

- `stepguard.integrations.transformers` — `StepGuardCallback` for the Hugging Face `Trainer`
  (``pip install 'stepguard[transformers]'``)
- `stepguard.integrations.lightning` — `StepGuardCallback` for `lightning.pytorch.Trainer`
  (``pip install 'stepguard[lightning]'``)
- `stepguard.integrations.accelerate` — audit and unwrap objects prepared by
  `accelerate.Accelerator` (``pip install 'stepguard[accelerate]'``)
- `stepguard.integrations.loggers` — write Monitor history to TensorBoard
  (``pip install 'stepguard[tensorboard]'``) or to any callable logger (no extra)
"""

from __future__ import annotations

import sys

from stepguard.integrations import loggers

# `loggers` was named `logging` before 0.2; the old path still imports (no file may shadow the
# standard library's `logging`).
sys.modules.setdefault(f"{__name__}.logging", loggers)

__all__: list[str] = []
