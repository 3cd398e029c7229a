"""The documents' notation: labels such as "w^1_12", "b^2_1", "n^k_j", "W^1", "x_i", "L" parsed into base,
superscript (the layer) and subscript (the indices), and written as Graphviz HTML with real super/subscripts."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Notation:
    """A label in the documents' notation: ``base^sup_sub``, e.g. "w^1_12" -> ("w", "1", "12")."""

    base: str
    sup: str = ""
    sub: str = ""

    @property
    def layer(self) -> int | None:
        """The layer index k >= 1 read from the superscript ("n^2_1" -> 2); None without one (x, y, L, a^0)."""
        if self.sup.isdigit() and int(self.sup) >= 1:
            return int(self.sup)
        return None

    @property
    def stem(self) -> str:
        """The label without its subscript: the name of the vector or matrix the entry belongs to ("w^1")."""
        return self.base + (f"^{self.sup}" if self.sup else "")

    @property
    def indices(self) -> tuple[int, ...] | None:
        """Integer subscripts: "12" of a weight -> (1, 2); "3" -> (3,); "12,3" or "{12,3}" -> (12, 3)."""
        sub = self.sub
        if not sub:
            return None
        parts = [p.strip() for p in sub.split(",")]
        if not all(p.isdigit() for p in parts):
            return None
        if len(parts) == 1 and len(sub) == 2 and self.base in ("w", "W"):
            return (int(sub[0]), int(sub[1]))  # w^k_ij with one-digit i and j, as the documents write it
        return tuple(int(p) for p in parts)

    def html(self, bold: bool = False, sub: str | None = None) -> str:
        """Graphviz HTML-like markup: "w^1_12" -> ``<I>w</I><SUP>1</SUP><SUB>12</SUB>``."""
        s = self.sub if sub is None else sub
        base = html.escape(self.base)
        out = f"<B>{base}</B>" if bold else f"<I>{base}</I>"
        if self.sup:
            out += f"<SUP>{html.escape(self.sup)}</SUP>"
        if s:
            out += f"<SUB>{html.escape(s)}</SUB>"
        return out


_NOTATION = re.compile(r"([A-Za-z\u0370-\u03ff][A-Za-z\u0370-\u03ff']*)((?:[\^_](?:\{[^{}]*\}|[A-Za-z0-9,]+))*)")
_SCRIPT = re.compile(r"([\^_])(\{[^{}]*\}|[A-Za-z0-9,]+)")


def parse_label(label: str) -> Notation | None:
    """Parse "w^1_12", "b^{2}_{1}", "x_3", "W^1" or "L" into a :class:`Notation`; None for other labels."""
    m = _NOTATION.fullmatch(label.strip())
    if m is None:
        return None
    scripts = {"^": "", "_": ""}
    for kind, text in _SCRIPT.findall(m.group(2)):
        if scripts[kind]:
            return None  # two superscripts or two subscripts: not the documents' notation
        scripts[kind] = text[1:-1].strip() if text.startswith("{") else text
    return Notation(m.group(1), scripts["^"], scripts["_"])
