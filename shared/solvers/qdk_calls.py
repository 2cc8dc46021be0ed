"""How qjobs calls qdk: one caller at a time, qdk's errors turned into ProgramError.

qdk's errors are rendered diagnostics ("x type error / `-> expected Int, found Double /
,-[path/Program.qs:2:3]"); `describe` keeps what the caller needs ("line 2, column 3: type
error: expected Int, found Double") and none of the host's paths.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from qdk.openqasm import QasmError
from qdk.qsharp import QSharpError

from .program_text import MAX_MESSAGE, ProgramError

# Held around every use of qdk's compilers and interpreters by the host's threads.
QDK_LOCK = threading.RLock()
# The file names under which programs are compiled: positions in them are the caller's.
SOURCE_FILES = ("Program.qs", ".qasm")
_PROFILE_CODES = ("Qdk.Qsc.CapabilitiesCk.", "Qdk.Qsc.Interpret.UnsupportedRuntimeCapabilities")
_MAX_DIAGNOSTICS = 5


class ProfileError(ProgramError):
    """The program compiles, but not for the QIR profile asked for.

    `capabilities` are what qdk found beyond the profile: its CapabilitiesCk code's name
    ("UseOfDynamicBool") and the line of the caller's program, when it points there, per
    diagnostic in qdk's order (see `profile_words`).
    """

    def __init__(self, message: str, capabilities: tuple[tuple[str, int | None], ...] = ()):
        super().__init__(message)
        self.capabilities = capabilities

    def __reduce__(self) -> tuple[type[ProfileError], tuple[str, tuple[Any, ...]]]:
        return ProfileError, (str(self), self.capabilities)  # it crosses from compile workers


class CompilerFailure(ProgramError):
    """qdk itself failed (a Rust panic) on a program it should have compiled or refused."""


@contextmanager
def reported(
    as_error: Callable[[ProgramError], ProgramError] = lambda error: error,
) -> Iterator[None]:
    """Turn qdk's errors inside the block into ProgramError (ProfileError, CompilerFailure).

    qdk raises QSharpError, and for its own bugs Rust panics that pyo3 raises as
    PanicException; both derive from BaseException only, and the panic's class is not
    importable, so it is recognized by name.
    """
    try:
        yield
    except BaseException as error:
        if isinstance(error, QSharpError | QasmError):
            if any(code in str(error) for code in _PROFILE_CODES):
                found: ProgramError = ProfileError(describe(error), capabilities(error))
            else:
                found = ProgramError(describe(error))
            raise as_error(found) from None
        if type(error).__name__ == "PanicException":
            first_line = (str(error).strip().splitlines() or ["no message"])[0]
            failure = CompilerFailure(f"qdk failed on this program: {first_line[:MAX_MESSAGE]}")
            raise as_error(failure) from None
        raise


def capabilities(error: BaseException) -> tuple[tuple[str, int | None], ...]:
    """The CapabilitiesCk codes of qdk's rendered diagnostics, each with its line in the
    caller's program (None when it points elsewhere)."""
    found: list[tuple[str, int | None]] = []
    code: str | None = None
    for line in str(error).splitlines():
        text = line.strip()
        if named := re.match(r"Qdk\.Qsc\.CapabilitiesCk\.(\w+)", text):
            if code is not None:
                found.append((code, None))
            code = named.group(1)
        elif code is not None and (at := re.match(r",-\[(.*):(\d+):(\d+)\]", text)):
            found.append((code, int(at.group(2)) if at.group(1).endswith(SOURCE_FILES) else None))
            code = None
    if code is not None:
        found.append((code, None))
    return tuple(found)


def describe(error: BaseException) -> str:
    """qdk's rendered diagnostics as "line L, column C: message; ..." without file paths."""
    found: list[list[str | None]] = []  # [message, detail, where] per diagnostic
    for line in str(error).splitlines():
        text = line.strip()
        if text.startswith("x "):
            found.append([text[2:], None, None])
        elif found and text.startswith("`-> ") and found[-1][1] is None:
            found[-1][1] = text[4:]
        elif found and found[-1][2] is None and (at := re.match(r",-\[(.*):(\d+):(\d+)\]", text)):
            if at.group(1).endswith(SOURCE_FILES):
                found[-1][2] = f"line {at.group(2)}, column {at.group(3)}: "
            else:
                found[-1][2] = ""
    if not found:
        return str(error).strip().splitlines()[0][:MAX_MESSAGE] if str(error).strip() else "error"
    parts = [
        f"{where or ''}{message}" + (f": {detail}" if detail else "")
        for message, detail, where in found[:_MAX_DIAGNOSTICS]
    ]
    return "; ".join(parts)[:MAX_MESSAGE]
