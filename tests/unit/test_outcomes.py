"""One shot written as a counts key, the same whichever way the shot ran."""

from __future__ import annotations

import pytest
from qdk import Result

from shared.solvers.outcomes import outcome

ONE, ZERO = Result.One, Result.Zero


@pytest.mark.parametrize(
    ("shot", "key"),
    [
        (ONE, "1"),
        (ZERO, "0"),
        ([ONE, ZERO, ZERO], "001"),
        ((ONE, [ZERO, ONE]), "10 1"),
        ((ZERO, ONE, ONE), "1 1 0"),
        ([], ""),
        (True, "true"),
        (5, "5"),
        (-1.5, "-1.5"),
        ([1, 2], "[1,2]"),
        ([[ONE, ZERO], [ZERO, ZERO]], "[01,00]"),
        ((False, 2.0), "2.0 false"),
    ],
)
def test_a_shot_is_written_as_qiskit_prints_counts(shot: object, key: str) -> None:
    assert outcome(shot) == key


@pytest.mark.parametrize(
    ("shot", "key"),
    [(None, "()"), ((), "()"), ((ONE, None), "() 1"), ([None, None], "[(),()]")],
)
def test_unit_is_written_as_qsharp_writes_it(shot: object, key: str) -> None:
    """The interpreter gives Unit as None, QIR and a provider's results as the empty tuple."""
    assert outcome(shot) == key
