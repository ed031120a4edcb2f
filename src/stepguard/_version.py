"""The package version (read by the package metadata, the CLI, SARIF output and the flake8 plugin)."""

__version__ = "0.1.0"
