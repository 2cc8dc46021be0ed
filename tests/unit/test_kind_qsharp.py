"""The qsharp kind: a Q# program and its entry expression in, counts out."""

from __future__ import annotations

import pytest

from shared.kinds import KINDS, InvalidJob

KIND = KINDS["qsharp"]
RANDOM_BIT = "operation GetRandomBit() : Result { use q = Qubit(); H(q); return M(q); }"


def invalid(body: dict) -> InvalidJob:
    with pytest.raises(InvalidJob) as raised:
        KIND.validate(body)
    return raised.value


def test_the_seeds_program_runs_as_is() -> None:
    job = KIND.validate({"source": RANDOM_BIT, "entry": "GetRandomBit()", "shots": 200, "seed": 3})
    result = KIND.solve(job, lambda: False)
    assert set(result["counts"]) == {"0", "1"}
    assert sum(result["counts"].values()) == result["shots"] == 200


def test_an_entry_returning_unit_runs_and_counts_its_shots_under_unit() -> None:
    source = "operation Prepare() : Unit { use q = Qubit(); H(q); Reset(q); }"
    job = KIND.validate({"source": source, "entry": "Prepare()", "shots": 12})
    assert KIND.solve(job, lambda: False) == {"counts": {"()": 12}, "shots": 12}


def test_source_entry_and_default_shots_are_normalized() -> None:
    assert KIND.validate({"source": RANDOM_BIT, "entry": " GetRandomBit() "}) == {
        "source": RANDOM_BIT,
        "entry": "GetRandomBit()",
        "shots": 100,
        "seed": None,
        "time_limit": 60.0,
    }


def test_time_limit_is_bounded_like_a_circuits() -> None:
    job = {"source": RANDOM_BIT, "entry": "GetRandomBit()"}
    assert KIND.validate({**job, "time_limit": 5})["time_limit"] == 5
    with pytest.raises(InvalidJob) as raised:
        KIND.validate({**job, "time_limit": 601})
    assert raised.value.pointer == "/time_limit"


def test_without_entry_the_entry_point_operation_runs() -> None:
    source = "@EntryPoint()\noperation Go() : Result { use q = Qubit(); X(q); MResetZ(q) }"
    assert KIND.validate({"source": source})["entry"] == "Go()"


def test_without_entry_or_entry_point_main_runs() -> None:
    error = invalid({"source": RANDOM_BIT})
    assert (error.status, error.pointer) == (400, "/entry")
    assert "'Main'" in error.detail and "GetRandomBit" in error.detail


def test_compile_error_is_400_with_line_and_column() -> None:
    error = invalid({"source": "operation Main() : Int {\n  1.0 }"})
    assert (error.status, error.pointer) == (400, "/source")
    assert "line 2, column 3: type error: expected Int, found Double" in error.detail


def test_entry_naming_no_callable_is_400_at_entry() -> None:
    error = invalid({"source": RANDOM_BIT, "entry": "Nope()"})
    assert (error.status, error.pointer) == (400, "/entry")


@pytest.mark.parametrize("entry", ["", 3, None, ["Main()"]])
def test_entry_must_be_a_call_written_as_a_string(entry: object) -> None:
    assert invalid({"source": RANDOM_BIT, "entry": entry}).pointer == "/entry"


@pytest.mark.parametrize("source", ["", "  \n", 3, None, ["operation Main() : Unit {}"]])
def test_source_must_be_a_non_empty_string(source: object) -> None:
    assert invalid({"source": source}).pointer == "/source"


def test_missing_source_is_400() -> None:
    assert invalid({"shots": 10}).pointer == "/source"


def test_a_source_past_the_old_100_000_character_limit_is_accepted() -> None:
    source = RANDOM_BIT + "// a long comment\n" * 10_000
    assert len(source) > 100_000
    assert KIND.validate({"source": source, "entry": "GetRandomBit()"})["source"] == source


def test_allocating_more_qubits_than_the_simulator_takes_is_413() -> None:
    error = invalid({"source": "operation Main() : Unit { use q = Qubit[23]; }"})
    assert (error.status, error.pointer) == (413, "/source")
    assert "23 qubits" in error.detail


def test_a_recursive_program_is_accepted() -> None:
    source = (
        "function F(n : Int) : Int { n == 0 ? 0 | 1 + F(n - 1) }\noperation Main() : Int { F(3) }"
    )
    assert KIND.validate({"source": source})["entry"] == "Main()"


@pytest.mark.parametrize(
    ("field", "value"), [("shots", 0), ("shots", 10_001), ("shots", "5"), ("seed", -1)]
)
def test_out_of_range_options_are_400(field: str, value: object) -> None:
    error = invalid({"source": RANDOM_BIT, "entry": "GetRandomBit()", field: value})
    assert (error.status, error.pointer) == (400, f"/{field}")
