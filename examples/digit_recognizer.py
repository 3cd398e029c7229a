"""Digit recognizer: doc 000's Kaggle "Digit Recognizer" case study, trained with plain mini-batch SGD.

A 784-128-64-10 ReLU MLP on autograd_mini's Tensor engine, trained through ``nn.fit`` by mini-batch SGD
reshuffled every epoch (doc 001, Algorithm 2), compared with scikit-learn's MLPClassifier on the same split.
All the work is done by :func:`nn.digits.train_digits`; the one front end is the command line's ``digits``
subcommand, which this script runs (same options as ``autograd-mini digits``):

    python examples/digit_recognizer.py                                  # built-in 5,000 MNIST digits
    python examples/digit_recognizer.py --data sklearn8x8                # scikit-learn's 8x8 digits
    python examples/digit_recognizer.py --train train.csv --test test.csv  # Kaggle -> out/digits/submission.csv

A malformed CSV prints ``error: <file>: line <n>: <problem>`` and exits with status 2.
"""

from __future__ import annotations

import sys

from nn.cli import main as cli_main


def main(argv: list[str] | None = None) -> int:
    """``autograd-mini digits`` with ``argv`` (default: the command line's arguments)."""
    return cli_main(["digits", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
