"""The crafted programs the API tests submit really are what they claim: the textual check lets
each through, and qdk compiling it in process dies (so the API tests could fail)."""

from __future__ import annotations

import pytest
from crafted_programs import CRAFTED, compile_directly

from shared.solvers.program_text import check_text


@pytest.mark.parametrize("name", sorted(CRAFTED))
def test_a_crafted_program_passes_the_textual_check(name: str) -> None:
    check_text(CRAFTED[name][1])


@pytest.mark.parametrize("name", sorted(CRAFTED))
def test_a_crafted_program_kills_the_process_that_compiles_it(name: str) -> None:
    kind, source = CRAFTED[name]
    assert compile_directly(kind, source) < 0
