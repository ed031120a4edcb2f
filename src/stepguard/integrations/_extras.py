"""Import an optional dependency, or fail with a message that names the stepguard extra to install.

Every integration imports its framework through `require` (or raises `missing_extra`), so a user
without the framework gets `ImportError: ... pip install 'stepguard[lightning]'` instead of a bare
`ModuleNotFoundError` from deep inside stepguard.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["missing_extra", "require"]


def missing_extra(package: str, extra: str, cause: BaseException | None = None) -> ImportError:
    """The `ImportError` to raise when `package` (from the stepguard extra `extra`) is unavailable.

    The message names the package, the install command ``pip install 'stepguard[<extra>]'`` and,
    when given, the original import error (so a broken install is not mistaken for a missing one).
    """
    detail = f" (the import failed with: {cause})" if cause is not None else ""
    return ImportError(
        f"this stepguard integration needs the optional package {package!r}{detail}; "
        f"install it with: pip install 'stepguard[{extra}]'",
        name=package,
    )


def require(package: str, extra: str) -> ModuleType:
    """Import and return the module `package`; raise `missing_extra(package, extra)` if it fails.

    `package` is an absolute module name (e.g. ``"lightning.pytorch"``); `extra` is the name of the
    stepguard optional-dependency group that provides it (e.g. ``"lightning"``).
    """
    try:
        return importlib.import_module(package)
    except ImportError as err:
        raise missing_extra(package, extra, err) from err
