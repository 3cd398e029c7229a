"""Digit recognizer: doc 000's Kaggle "Digit Recognizer" case study, trained with plain mini-batch SGD.

A 784-128-64-10 ReLU MLP on autograd_mini's Tensor engine, trained by mini-batch SGD reshuffled every epoch
(doc 001, Algorithm 2), compared with scikit-learn's MLPClassifier on the same split. All the work is done by
:func:`nn.digits.train_digits`; this script only parses the command line.

    python examples/digit_recognizer.py                          # built-in 5,000 MNIST digits, 4,000/1,000
    python examples/digit_recognizer.py --data sklearn8x8        # scikit-learn's 8x8 digits (64 inputs)
    python examples/digit_recognizer.py train.csv test.csv       # Kaggle files -> out/digits/submission.csv

A malformed CSV prints ``error: <file>: line <n>: <problem>`` and exits with status 2.
"""

from __future__ import annotations

import argparse
import sys

from nn.digits import add_arguments, run_from_args


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Train an MLP digit recognizer (doc 000's Kaggle case study) with plain mini-batch SGD."
    )
    add_arguments(parser)
    return run_from_args(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
