"""OpenQASM 3 `if` conditions on a parity of bits, rewritten as nested `if`s on single bits.

Qiskit's OpenQASM 3 exporter writes a condition on the exclusive or of measured bits (MQT
Bench's dynamic GHZ, for one) as `if ((m[0] ^ m[1] ^ m[2]) == true) { ... }`, which neither of
qiskit's importers reads (`qiskit_qasm3_import`: "unsupported binary operation '^'"; the
experimental Rust one panics). Such a program would run on qdk, shot by shot.

`rewritten` turns each such `if` into the same choice made one bit at a time, which qiskit's
importer reads:

    if (m[0]) { if (m[1]) { <parity even> } else { <parity odd> } }
    else { if (m[1]) { <parity odd> } else { <parity even> } }

with the `if` block at the leaves where the condition holds and the `else` block (if any)
at the others. All bits are read before either block runs, as in the original, so the two
are the same program; the text grows with 2^k copies of the blocks for a parity of k bits,
which is why parities of more than MAX_PARITY_BITS bits are left as they are.

Recognised conditions: bits (`c[3]`, or a `bit` variable `b`) joined by `^`, in parentheses or
not, optionally compared `== true`, `== false`, `!= true`, `!= false` (or 1 / 0). Anything
else is left untouched.
"""

from __future__ import annotations

import re

from .program_text import without_comments_and_strings

MAX_PARITY_BITS = 10  # 1,024 copies of a block
MAX_GROWTH = 4  # the rewritten text may be this many times the original's length (+ 64 KiB)

_IF = re.compile(r"\bif\s*\(")
_BIT = r"[A-Za-z_][A-Za-z_0-9]*(?:\s*\[\s*\d+\s*\])?"
_PARITY = re.compile(
    rf"^\s*\(?\s*(?P<bits>{_BIT}(?:\s*\^\s*{_BIT})+)\s*\)?\s*"
    r"(?:(?P<op>==|!=)\s*(?P<value>true|false|1|0)\s*)?$"
)
_ELSE = re.compile(r"\s*else\s*\{")


class _NotRewritable(Exception):
    pass


def rewritten(source: str) -> str:
    """`source` with its parity conditions as nested single-bit `if`s (unchanged when it has
    none, or one this module does not read)."""
    if "^" not in source:
        return source
    try:
        text = _rewrite(source, without_comments_and_strings(source))
    except _NotRewritable:
        return source
    return text if len(text) <= MAX_GROWTH * len(source) + 65_536 else source


def _rewrite(source: str, scan: str) -> str:
    """`source` rewritten; `scan` is the same text with comments and strings blanked."""
    out: list[str] = []
    at = 0
    for found in _IF.finditer(scan):
        if found.start() < at:  # inside a block already rewritten
            continue
        condition_end = _closing(scan, found.end() - 1)
        parity = _PARITY.match(scan[found.end() : condition_end])
        if parity is None:
            continue
        body_open = _skip_space(scan, condition_end + 1)
        if body_open >= len(scan) or scan[body_open] != "{":
            raise _NotRewritable  # a braceless body: not what the exporter writes
        body_close = _closing(scan, body_open)
        end = body_close + 1
        otherwise = ""
        else_block = _ELSE.match(scan, end)
        if else_block:
            else_close = _closing(scan, else_block.end() - 1)
            otherwise = _rewrite(
                source[else_block.end() : else_close], scan[else_block.end() : else_close]
            )
            end = else_close + 1
        bits = [bit.strip() for bit in parity.group("bits").split("^")]
        if len(bits) > MAX_PARITY_BITS:
            raise _NotRewritable
        wanted = _wanted_parity(parity.group("op"), parity.group("value"))
        body = _rewrite(source[body_open + 1 : body_close], scan[body_open + 1 : body_close])
        out.append(source[at : found.start()])
        out.append(_nested(bits, 0, wanted, body, otherwise))
        at = end
    out.append(source[at:])
    return "".join(out)


def _wanted_parity(op: str | None, value: str | None) -> int:
    """The parity for which the `if` block runs."""
    truth = 1 if value is None or value in ("true", "1") else 0
    return truth if op in (None, "==") else 1 - truth


def _nested(bits: list[str], parity: int, wanted: int, body: str, otherwise: str) -> str:
    if not bits:
        return body if parity == wanted else otherwise
    first, rest = bits[0], bits[1:]
    when_one = _nested(rest, parity ^ 1, wanted, body, otherwise)
    when_zero = _nested(rest, parity, wanted, body, otherwise)
    if not when_zero.strip():
        return f"if ({first}) {{\n{when_one}\n}}"
    return f"if ({first}) {{\n{when_one}\n}} else {{\n{when_zero}\n}}"


def _closing(scan: str, opening: int) -> int:
    """The position of the bracket that closes the one at `opening`."""
    pairs = {"(": ")", "{": "}"}
    open_char, close_char = scan[opening], pairs[scan[opening]]
    depth = 0
    for at in range(opening, len(scan)):
        if scan[at] == open_char:
            depth += 1
        elif scan[at] == close_char:
            depth -= 1
            if depth == 0:
                return at
    raise _NotRewritable


def _skip_space(scan: str, at: int) -> int:
    while at < len(scan) and scan[at].isspace():
        at += 1
    return at
