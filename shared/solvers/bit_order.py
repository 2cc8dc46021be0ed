"""A workaround for qdk's OpenQASM front end, which reads bit arrays in reverse order.

OpenQASM (2 and 3) and qiskit-aer read a bit register as an integer with c[0] as its least
significant bit, and a bit-string literal "011" with its last character as c[0]. qdk 1.33 does
the opposite wherever bits and integers meet: `if (c == 1)` with c[0] = 1 is false on qdk
(c reads as 4 in a bit[3]), `bit[3] c = 1;` and `c = "001";` set c[2], `int i = c;` and
`switch (c)` read c[0] as the most significant bit. Bits themselves (c[i], measurements into
registers, the registers a shot outputs) are in the right order.

`for_qdk` rewrites a program so that qdk computes what OpenQASM means, before qdk runs or
compiles it (so the QIR sent to remote targets is right too):

- a register (or a constant slice of one) read as a number is read reversed:
  `c == 1` becomes `c[2:-1:0] == 1`, `c[0:1]` becomes `c[1:-1:0]`;
- a bit-array literal is written reversed: `c = 1` becomes `c = "100"` (qdk's c[0] = 1).
  A bit-string literal compared with or read as a number needs nothing: qdk reads both the
  string and the number most significant bit first.

A number turned into bits by an expression (`c = c << 1`, `c & 1` assigned to bits) cannot
be rewritten this way and is refused with a reason, rather than run wrong.
"""

from __future__ import annotations

import re
from typing import Any

from qdk.openqasm import semantic

from .program_text import ProgramError

_NOT_NUMBERS = (semantic.BitArrayType, semantic.BitType, semantic.BoolType)
# What a bit-array literal's span holds in the source: a bit string or an integer. (A declaration
# without a value gets a literal of zeros, spanning something else; zeros need no rewriting.)
_LITERAL_TEXT = re.compile(rb'"[01_]*"|(?:0[bBoOxX])?[0-9a-fA-F_]+')
_Edit = tuple[int, int, str]  # replace source bytes [lo, hi) with the text


def for_qdk(source: str, analysis: semantic.AnalysisResult) -> str:
    """`source` (the text `analysis` analyzed) rewritten so qdk reads its registers right."""
    text = source.encode("utf-8")  # spans are byte offsets
    source_map = analysis.document.source_map
    edits: list[_Edit] = []
    pending: list[Any] = [analysis.program]
    while pending:
        node = pending.pop()
        if isinstance(node, semantic.Cast | semantic.LiteralExpression) and (
            source_map.range_from_span(node.span).source_id != source_map.entry.id
        ):
            continue  # an included file's
        if isinstance(node, semantic.Cast) and isinstance(node.operand.ty, semantic.BitArrayType):
            if not isinstance(node.ty, _NOT_NUMBERS):
                bits = _unparenthesized(node.operand)
                if isinstance(bits, semantic.Cast) and not isinstance(
                    bits.operand.ty, semantic.BitArrayType | semantic.BitType
                ):
                    # number -> bits -> number (as `(c & 2) == 2` is lowered): qdk's two
                    # reversals cancel; only the numbers inside need looking at.
                    pending.append(bits.operand)
                elif not isinstance(bits, semantic.LiteralExpression):
                    edits += _read_reversed(node.operand, str(node.ty), text)
                continue
        elif isinstance(node, semantic.Cast) and isinstance(node.ty, semantic.BitArrayType):
            if not isinstance(node.operand, semantic.LiteralExpression):
                raise ProgramError(
                    "a number turned into a bit array by an expression is not supported here"
                    " (qdk would order its bits the wrong way round); assign bits one by one"
                )
        elif isinstance(node, semantic.LiteralExpression) and isinstance(
            node.ty, semantic.BitArrayType
        ):
            lo, hi = node.span.lo, node.span.hi
            if _LITERAL_TEXT.fullmatch(text[lo:hi].strip()):
                edits.append((lo, hi, f'"{str(node.value)[::-1]}"'))
            continue
        pending.extend(node.children())
    for lo, hi, replacement in sorted(edits, reverse=True):
        text = text[:lo] + replacement.encode("utf-8") + text[hi:]
    return text.decode("utf-8")


def _unparenthesized(expression: Any) -> Any:
    while isinstance(expression, semantic.ParenExpression):
        expression = expression.operand
    return expression


def _read_reversed(operand: Any, number_type: str, text: bytes) -> list[_Edit]:
    """The edits that make qdk read a register (or a constant slice of one) reversed, as an
    explicit cast to `number_type` (qdk types a reversed slice compared with bits wrongly)."""
    cast = number_type.removeprefix("const ") + "("
    width = int(operand.ty.size)
    if isinstance(operand, semantic.Identifier):
        lo, hi = operand.span.lo, operand.span.hi
        return [(lo, hi, f"{cast}{operand.name}[{width - 1}:-1:0])")]
    if isinstance(operand, semantic.IndexExpression) and isinstance(
        operand.collection, semantic.Identifier
    ):
        (index,) = operand.indices or (None,)
        if (
            isinstance(index, semantic.RangeDefinition)
            and index.step is None
            and isinstance(getattr(index.start, "const_value", None), int)
            and isinstance(getattr(index.end, "const_value", None), int)
        ):
            # qdk's span of a slice ends before its "]": the range is rewritten in place.
            close = text.index(b"]", index.span.hi) + 1
            start, end = index.start.const_value, index.end.const_value
            return [
                (close, close, ")"),
                (index.span.lo, index.span.hi, f"{end}:-1:{start}"),
                (operand.span.lo, operand.span.lo, cast),
            ]
    raise ProgramError(
        "only a bit register or a constant slice of one can be read as a number here"
        " (qdk orders the bits of other bit-array expressions the wrong way round)"
    )
