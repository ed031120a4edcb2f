"""The top-level API: every exported name resolves, is documented, and `import stepguard` stays light."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

import stepguard


@pytest.mark.parametrize("name", [n for n in stepguard.__all__ if n != "__version__"])
def test_every_public_name_resolves_and_is_documented(name: str) -> None:
    obj = getattr(stepguard, name)
    if inspect.isfunction(obj) or inspect.isclass(obj):
        assert inspect.getdoc(obj), f"stepguard.{name} has no docstring"
    if inspect.isfunction(obj):
        hints = {k for k in obj.__annotations__ if k != "return"}
        params = {
            p.name
            for p in inspect.signature(obj).parameters.values()
            if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        }
        assert params <= hints and "return" in obj.__annotations__, f"{name} lacks type hints"


def test_import_stepguard_does_not_import_torch() -> None:
    code = "import sys, stepguard, stepguard.cli; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_unknown_attribute_is_a_clear_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = stepguard.nope  # type: ignore[attr-defined]
