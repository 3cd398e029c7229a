"""``python -m nn``: the ``autograd-mini`` command line (:mod:`nn.cli`)."""

from .cli import main

raise SystemExit(main())
