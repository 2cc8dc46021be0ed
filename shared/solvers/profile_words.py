"""What in a program a QIR profile cannot run, in the caller's words.

qdk names each thing a profile lacks with a CapabilitiesCk code ("UseOfDynamicBool": a bool
that depends on a measurement result) at a position; `blockers` turns the codes of a
ProfileError into a phrase such as "a measurement result controls a later gate or branch
(line 7)". Programs often trip several codes at one spot (a loop on a result is a dynamic bool,
a dynamic Result and a measurement in a dynamic scope), so the codes are ranked by how well they
name the cause, and at most MAX_NAMED distinct ones are named.
"""

from __future__ import annotations

import re

from .qdk_calls import ProfileError

MAX_NAMED = 2
# Best names first: the first codes found in this order are the ones named.
SENTENCES = {
    "LoopWithDynamicCondition": "a loop repeats depending on a measurement result",
    "UseOfDynamicBool": "a measurement result controls a later gate or branch",
    "MeasurementWithinDynamicScope": (
        "a measurement happens inside a branch or loop that depends on a measurement result"
    ),
    "ReturnWithinDynamicScope": "a return inside a branch that depends on a measurement result",
    "UseOfDynamicInt": "an integer is computed from measurement results",
    "UseOfDynamicBigInt": "a big integer is computed from measurement results",
    "UseOfDynamicDouble": "a floating-point number is computed from measurement results",
    "UseOfDynamicIndex": "an array index is computed from measurement results",
    "UseOfDynamicQubit": "which qubit a gate acts on depends on a measurement result",
    "UseOfDynamicallySizedArray": "an array's size is known only when the program runs",
    "CallToDynamicCallee": "which operation is called depends on a measurement result",
    "UseOfDoubleOutput": "the program outputs a floating-point number",
    "UseOfIntOutput": "the program outputs an integer",
    "UseOfBoolOutput": "the program outputs a boolean",
    "UseOfAdvancedOutput": "the program outputs values other than measurement results",
    "CallToCustomMeasurement": "the program defines a measurement operation of its own",
    "CallToCustomReset": "the program defines a reset operation of its own",
    "UseOfDynamicResult": (
        "a measurement result variable is set depending on other measurement results"
    ),
}


def sentence(code: str) -> str:
    """The words for one CapabilitiesCk code; a code not listed is read from its name
    ("UseOfDynamicTuple": "a tuple value computed from measurement results")."""
    if code in SENTENCES:
        return SENTENCES[code]
    dynamic = re.fullmatch(r"UseOfDynamic(\w+)", code)
    if dynamic:
        words = re.sub(r"(?<!^)(?=[A-Z])", " ", dynamic.group(1)).lower()
        return f"a {words} value computed from measurement results"
    return "a feature it lacks (" + re.sub(r"(?<!^)(?=[A-Z])", " ", code).lower() + ")"


def blockers(error: ProfileError) -> str:
    """What the profile cannot run, e.g. "a loop repeats depending on a measurement result
    (line 6)"; "something in the program" when qdk named no capability."""
    first_line: dict[str, int | None] = {}
    for code, line in error.capabilities:
        known = first_line.get(code)
        if code not in first_line or (line is not None and (known is None or line < known)):
            first_line[code] = line
    ranking = list(SENTENCES)
    codes = sorted(first_line, key=lambda c: ranking.index(c) if c in ranking else len(ranking))
    named = [
        sentence(code) + ("" if first_line[code] is None else f" (line {first_line[code]})")
        for code in codes[:MAX_NAMED]
    ]
    return " and ".join(named) or "something in the program"
