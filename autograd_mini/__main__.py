"""``python -m autograd_mini``: the command line of :mod:`autograd_mini.cli`."""

from .cli import main

raise SystemExit(main())
