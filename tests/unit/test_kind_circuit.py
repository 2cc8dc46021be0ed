"""The circuit kind: OpenQASM source in, counts out."""

from __future__ import annotations

import pytest

from shared.kinds import KINDS, InvalidJob

KIND = KINDS["circuit"]
BELL_2 = """OPENQASM 2.0;
include "qelib1.inc";
qreg q[2];
creg c[2];
h q[0];
cx q[0], q[1];
measure q -> c;
"""


def invalid(body: dict) -> InvalidJob:
    with pytest.raises(InvalidJob) as raised:
        KIND.validate(body)
    return raised.value


def test_source_and_default_shots_are_normalized() -> None:
    assert KIND.validate({"source": BELL_2}) == {
        "source": BELL_2,
        "shots": 100,
        "seed": None,
        "time_limit": 60.0,
    }


def test_time_limit_up_to_the_configured_maximum_is_accepted() -> None:
    assert KIND.validate({"source": BELL_2, "time_limit": 600})["time_limit"] == 600


@pytest.mark.parametrize("seconds", [0, 601, "5", True])
def test_time_limit_outside_the_maximum_is_rejected(seconds: object) -> None:
    assert invalid({"source": BELL_2, "time_limit": seconds}).pointer == "/time_limit"


def test_syntax_error_is_400_with_qdks_message() -> None:
    error = invalid({"source": "OPENQASM 2.0;\nqreg q[2]\ncreg c[2];\n"})
    assert (error.status, error.pointer) == (400, "/source")
    assert "line 3, column 1: expected `;`, found keyword `creg`" in error.detail


def test_unknown_gate_is_400() -> None:
    error = invalid({"source": "OPENQASM 3.0;\nqubit[2] q;\nfoo q[0];"})
    assert (error.status, error.pointer) == (400, "/source")
    assert "foo" in error.detail


@pytest.mark.parametrize("source", ["", "  \n", 3, None, ["OPENQASM 3.0;"]])
def test_source_must_be_a_non_empty_string(source: object) -> None:
    assert invalid({"source": source}).pointer == "/source"


def test_missing_source_is_400() -> None:
    assert invalid({"shots": 10}).pointer == "/source"


def test_a_source_of_a_million_characters_is_accepted() -> None:
    source = BELL_2 + "h q[0];\n" * 125_000
    assert len(source) > 1_000_000
    assert KIND.validate({"source": source})["source"] == source


def test_more_qubits_than_the_simulator_takes_is_413() -> None:
    error = invalid({"source": "OPENQASM 3.0;\nqubit[20] a;\nqubit[7] b;\n"})
    assert (error.status, error.pointer) == (413, "/source")
    assert "27 qubits" in error.detail


@pytest.mark.parametrize(
    ("field", "value"), [("shots", 0), ("shots", 10_001), ("shots", "5"), ("seed", -1)]
)
def test_out_of_range_options_are_400(field: str, value: object) -> None:
    error = invalid({"source": BELL_2, field: value})
    assert (error.status, error.pointer) == (400, f"/{field}")


def test_result_has_counts_for_every_shot() -> None:
    job = KIND.validate({"source": BELL_2, "shots": 200, "seed": 3})
    result = KIND.solve(job, lambda: False)
    assert result["shots"] == 200
    assert set(result["counts"]) == {"00", "11"}
    assert sum(result["counts"].values()) == 200
