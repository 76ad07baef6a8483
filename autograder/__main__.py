"""``python -m autograder``: release, score, check and normalize notebooks (see autograder.cli)."""

from autograder.cli import main

raise SystemExit(main())
