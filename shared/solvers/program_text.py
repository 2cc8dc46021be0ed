"""What every program source (OpenQASM, Q#) must pass before qdk's native code sees it.

qdk's parsers, compilers and evaluators recurse natively: deeply nested source overflows the
C stack and kills the process instead of reporting an error (qdk 1.33 with an 8 MB stack:
OpenQASM dies at ~1,900 nested blocks, ~3,000 chained operators or gate modifiers, ~1,250
`else if` branches; Q# at 1,000-3,000 nested blocks and 3,000-10,000 parentheses, operators
or `elif` branches). `check_text` is a lexical pre-scan that keeps each bound several times
below the lowest of those, so even their combination fits.
"""

from __future__ import annotations

import re

MAX_NESTING = 100  # ( [ { open at once
MAX_OPERATORS = 200  # operators, modifiers and control keywords in one statement
MAX_ELSE = 200  # else / elif in the whole program: a chain nests as deep as it is long
MAX_MESSAGE = 2000  # characters of a qdk error message passed on

_IGNORED = re.compile(r'//[^\n]*|/\*.*?\*/|"[^"\n]*"', re.DOTALL)
_COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.DOTALL)
_TOKEN = re.compile(
    r"[;{}()\[\]]|[-+*/%&|^~!<>=@]"
    r"|\b(?:if|elif|else|for|while|repeat|until|fixup|within|apply)\b"
)
_OPEN, _CLOSE, _ENDS = frozenset("([{"), frozenset(")]}"), frozenset(";{}")
_CHAIN = frozenset({"else", "elif"})


class ProgramError(ValueError):
    """The program cannot run here; the message says why (it is meant for the caller)."""


def check_text(source: str) -> None:
    """ProgramError if `source` is not Unicode text or nests deeper than qdk can take."""
    try:
        source.encode("utf-8")
    except UnicodeEncodeError:
        raise ProgramError("the program is not valid Unicode text (a lone surrogate)") from None
    depth = operators = elses = 0
    for match in _TOKEN.finditer(without_comments_and_strings(source)):
        token = match.group()
        if token in _OPEN:
            depth += 1
            if depth > MAX_NESTING:
                raise ProgramError(f"the program nests brackets more than {MAX_NESTING} deep")
        elif token in _CLOSE:
            depth -= 1
        if token in _ENDS:
            operators = 0
        elif token not in _OPEN and token not in _CLOSE:
            operators += 1
            if operators > MAX_OPERATORS:
                raise ProgramError(
                    f"a statement of the program has more than {MAX_OPERATORS} operators"
                )
            if token in _CHAIN:
                elses += 1
                if elses > MAX_ELSE:
                    raise ProgramError(f"the program has more than {MAX_ELSE} else branches")


def without_comments_and_strings(source: str) -> str:
    """`source` with its comments and string literals blanked out, for lexical scans (as
    long as `source`: a position in it is the same position in `source`)."""
    return _IGNORED.sub(lambda found: " " * len(found.group()), source)


def without_comments(source: str) -> str:
    """`source` with each comment's characters (but its line breaks) replaced by spaces.

    Offsets into the result are offsets into `source`.
    """
    return _COMMENT.sub(lambda comment: re.sub(r"[^\n]", " ", comment.group()), source)
