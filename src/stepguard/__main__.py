"""`python -m stepguard` is the `stepguard` command."""

from stepguard.cli import main

# The guard matters: the demo's worker processes are spawned and re-import the main module.
if __name__ == "__main__":
    raise SystemExit(main())
