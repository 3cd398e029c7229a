"""The documents' hand-derived formulas run through the derivation checker (``nn.derivation``).

Each formula the documents derive by hand -- the activation derivatives (docs 000-003), doc 000's output
sensitivity (eq. 24) and its recursion (eq. 33), doc 002's delta equations, doc 003's dE/dW_1, doc 001's
output deltas -- is written in numpy and checked against autograd on inputs that hypothesis draws
(``nn.documents.document_checks``). They hold, except one: doc 001's softmax + cross-entropy sensitivity
delta_k = t_k (1 - z_k), which drops the cross terms dz_i/dnet_k (i != k) of the softmax Jacobian. For it the
checker prints the smallest counterexample hypothesis shrinks to (n = [0, 0], t = [1, 0]: the formula gives
[0.5, 0], autograd [0.5, -0.5]); the corrected delta_k = t_k - z_k holds (docs/ERRATA.md).

Run ``python examples/derivation_check.py [--examples 100]``. The exit status is 0 when every formula
behaves as expected (the refuted one refuted), 1 otherwise. No pictures are drawn; ``--out`` receives a
text file with the results.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import make_parser, out_dir  # noqa: E402

from nn.documents import document_checks  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = make_parser("derivation_check", __doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=100, help="hypothesis examples per formula")
    parser.add_argument("--seed", type=int, default=0, help="seed of the (derandomized) search")
    args = parser.parse_args(argv)
    out = out_dir(args.out)
    lines: list[str] = []
    surprises = 0
    refuted = 0
    checks = document_checks()
    for check in checks:
        result = check.run(max_examples=args.examples, seed=args.seed)
        expected = "holds" if check.holds else "FAILS"
        as_expected = result.holds == check.holds
        surprises += not as_expected
        refuted += not result.holds
        text = f"[{check.source}]\n  {str(result).replace(chr(10), chr(10) + '  ')}"
        if not as_expected:
            text += f"\n  UNEXPECTED: the documents' text leads to expect that it {expected}"
        lines.append(text)
        print(text)
    summary = (
        f"\n{len(checks)} formulas checked: {len(checks) - refuted} hold, {refuted} refuted by a "
        f"counterexample; {'all as expected' if not surprises else f'{surprises} UNEXPECTED'}"
    )
    print(summary)
    (out / "derivation_check.txt").write_text("\n".join(lines) + "\n" + summary + "\n")
    print(f"results written to {out / 'derivation_check.txt'}")
    return 1 if surprises else 0


if __name__ == "__main__":
    raise SystemExit(main())
