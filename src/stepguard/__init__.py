"""stepguard: make the optimizer step of PyTorch training correct, and prove it.

The public API, re-exported here; each name is documented where it is defined.
"""

from stepguard.findings import CATALOG, Finding, FindingsError, Report, Rule, Severity, rule

__version__ = "0.1.0"

__all__ = [
    "CATALOG",
    "Finding",
    "FindingsError",
    "Report",
    "Rule",
    "Severity",
    "__version__",
    "rule",
]
