"""`python -m stepguard` is the `stepguard` command."""

from stepguard.cli import main

raise SystemExit(main())
