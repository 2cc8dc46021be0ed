"""Q# programs checked and run on qdk's local simulator."""

from __future__ import annotations

import gc
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from shared.solvers.program_text import MAX_NESTING
from shared.solvers.qsharp_program import (
    EntryError,
    ProgramError,
    QubitLimitError,
    check,
    default_entry,
    needs_interpreter,
    recursion,
    run,
)

RANDOM_BIT = "operation GetRandomBit() : Result { use q = Qubit(); H(q); return M(q); }"
FIRST_OF_THREE = "operation Main() : Result[] { use q = Qubit[3]; X(q[0]); MResetEachZ(q) }"


def never() -> bool:
    return False


def counts(source: str, entry: str = "Main()", shots: int = 100, seed: int | None = 1) -> dict:
    return run(source, entry, shots=shots, seed=seed, should_stop=never)[0]


def test_the_seeds_random_bit_gives_zeros_and_ones_for_every_shot() -> None:
    result = counts(RANDOM_BIT, "GetRandomBit()", shots=1000)
    assert set(result) == {"0", "1"}
    assert sum(result.values()) == 1000
    assert 400 < result["0"] < 600


def test_same_seed_gives_the_same_counts() -> None:
    assert counts(RANDOM_BIT, "GetRandomBit()", seed=7) == counts(
        RANDOM_BIT, "GetRandomBit()", seed=7
    )


def test_different_seeds_give_different_counts() -> None:
    first = counts(RANDOM_BIT, "GetRandomBit()", shots=500, seed=1)
    assert first != counts(RANDOM_BIT, "GetRandomBit()", shots=500, seed=2)


def test_a_result_array_is_written_highest_index_first() -> None:
    assert counts(FIRST_OF_THREE) == {"001": 100}


def test_a_tuple_is_written_last_item_first() -> None:
    source = (
        "operation Main() : (Result, Result[]) {"
        " use q = Qubit[3]; X(q[0]); X(q[2]); (MResetZ(q[0]), MResetEachZ(q[1..2])) }"
    )
    assert counts(source) == {"10 1": 100}


def test_other_values_are_written_as_numbers_and_booleans() -> None:
    source = "operation Main() : (Int, Bool) { use q = Qubit(); X(q); (3, MResetZ(q) == One) }"
    assert counts(source, shots=5) == {"true 3": 5}


@pytest.mark.parametrize(
    "body",
    [
        pytest.param('use q = Qubit(); H(q); Message("hi"); Reset(q);', id="as QIR"),
        pytest.param(
            "use q = Qubit(); H(q); let _ = Std.Random.DrawRandomInt(0, 1); Reset(q);",
            id="on the interpreter",
        ),
    ],
)
def test_an_entry_returning_unit_counts_its_shots_under_unit(body: str) -> None:
    assert counts(f"operation Main() : Unit {{ {body} }}", shots=7) == {"()": 7}


def test_a_program_beyond_qir_runs_on_the_interpreter() -> None:
    source = (
        "operation Main() : Int { use q = Qubit(); mutable n = 0;"
        " while MResetZ(q) == Zero and n < 3 { set n += 1; } n }"
    )
    assert counts(source, shots=10) == {"3": 10}


def test_callables_in_a_namespace_run_by_their_qualified_name() -> None:
    source = "namespace Demo {\n" + FIRST_OF_THREE + "\n}"
    assert counts(source, "Demo.Main()", shots=3) == {"001": 3}


def test_the_entry_may_pass_arguments() -> None:
    source = "operation Flip(n : Int) : Result[] { use q = Qubit[n]; X(q[n - 1]); MResetEachZ(q) }"
    assert counts(source, "Flip(2)", shots=4) == {"10": 4}


def test_reports_the_shots_it_ran() -> None:
    assert run(RANDOM_BIT, "GetRandomBit()", shots=1234, seed=1, should_stop=never)[1] == 1234


def test_a_stop_request_ends_the_run_after_the_first_batch() -> None:
    result, shots = run(
        RANDOM_BIT, "GetRandomBit()", shots=10_000, seed=1, should_stop=lambda: True
    )
    assert 0 < shots < 10_000
    assert sum(result.values()) == shots


def test_qubits_allocated_beyond_the_limit_at_run_time_are_refused() -> None:
    source = "operation Main() : Unit { let n = 2 * 12; use q = Qubit[n]; }"
    with pytest.raises(QubitLimitError, match="needs 24 qubits"):
        counts(source, shots=1)


def test_a_runtime_failure_is_a_program_error() -> None:
    source = (
        "operation Main() : Int { use q = Qubit(); mutable n = 0;"
        ' while MResetZ(q) == Zero and n < 3 { set n += 1; } fail "no luck"; }'
    )
    with pytest.raises(ProgramError, match="no luck"):
        counts(source, shots=1)


def test_a_syntax_error_names_line_and_column() -> None:
    with pytest.raises(
        ProgramError, match="line 2, column 11: syntax error: expected expression, found `;`"
    ):
        check("operation Main() : Unit {\n  let x = ; }", "Main()")


def test_a_type_error_names_line_and_column() -> None:
    with pytest.raises(
        ProgramError, match="line 2, column 3: type error: expected Int, found Double"
    ):
        check("operation Main() : Int {\n  1.0 }", "Main()")


def test_statements_outside_callables_are_refused_without_running() -> None:
    with pytest.raises(ProgramError, match="line 2, column 1: syntax error"):
        check("operation Main() : Unit {}\nwhile true {}", "Main()")


def test_messages_do_not_name_files_of_the_host() -> None:
    with pytest.raises(ProgramError) as raised:
        check("operation Main() : Int {\n  1.0 }", "Main()")
    assert "qjobs-qsharp" not in str(raised.value) and ".qs" not in str(raised.value)


@pytest.mark.parametrize(
    "entry", ["", "Main", "Main(); while true {}", "{ Main() }", "1 + 2", "Main()" + " " * 1000]
)
def test_an_entry_that_is_not_one_call_is_refused(entry: str) -> None:
    with pytest.raises(EntryError):
        check(FIRST_OF_THREE, entry)


def test_an_entry_naming_no_callable_of_the_program_lists_them() -> None:
    with pytest.raises(EntryError, match="does not declare; its callables are: GetRandomBit"):
        check(RANDOM_BIT, "Main()")


def test_an_entry_with_wrong_arguments_is_refused() -> None:
    with pytest.raises(EntryError, match="type error"):
        check(RANDOM_BIT, "GetRandomBit(3)")


def test_a_recursive_program_runs_on_the_interpreter() -> None:
    source = (
        "function Depth(n : Int) : Int { n == 0 ? 0 | 1 + Depth(n - 1) }\n"
        "operation Main() : (Int, Result) { use q = Qubit(); X(q); (Depth(2000), MResetZ(q)) }"
    )
    assert counts(source, shots=3) == {"1 2000": 3}


def test_mutually_recursive_operations_run() -> None:
    source = (
        "operation Even(n : Int, q : Qubit) : Unit { if n > 0 { X(q); Odd(n - 1, q); } }\n"
        "operation Odd(n : Int, q : Qubit) : Unit { if n > 0 { X(q); Even(n - 1, q); } }\n"
        "operation Main() : Result { use q = Qubit(); Even(7, q); MResetZ(q) }"
    )
    assert counts(source, shots=3) == {"1": 3}


@pytest.mark.parametrize(
    ("source", "cycle"),
    [
        ("function F(n : Int) : Int { F(n - 1) }", "F calls itself"),
        (
            "function F(n : Int) : Int { G(n) }\nfunction G(n : Int) : Int { F(n) }",
            "F calls itself through G",
        ),
        ("function F(n : Int) : Int { n } // F(F(1))", None),
    ],
)
def test_recursion_names_the_cycle(source: str, cycle: str | None) -> None:
    assert recursion(source) == cycle


def test_random_integers_run_on_the_interpreter() -> None:
    source = "import Std.Random.*;\noperation Main() : Int { DrawRandomInt(0, 2) }"
    assert set(counts(source, shots=200)) == {"0", "1", "2"}


def test_check_zero_runs_on_the_interpreter() -> None:
    source = (
        "import Std.Diagnostics.*;\n"
        "operation Main() : Bool { use q = Qubit(); H(q); H(q); CheckZero(q) }"
    )
    assert counts(source, shots=5) == {"true": 5}


def test_a_failing_fact_fails_the_run() -> None:
    source = (
        "import Std.Diagnostics.*;\n"
        'operation Main() : Result { use q = Qubit(); Fact(1 > 2, "one is not more"); M(q) }'
    )
    with pytest.raises(ProgramError, match="one is not more"):
        counts(source, shots=5)


def test_configured_noise_is_simulated() -> None:
    source = (
        "import Std.Diagnostics.*;\n"
        "operation Main() : Result { ConfigurePauliNoise(0.5, 0.0, 0.0);"
        " use q = Qubit(); X(q); MResetZ(q) }"
    )
    assert set(counts(source, shots=100)) == {"0", "1"}


def test_a_programs_own_simulatable_intrinsic_runs() -> None:
    source = (
        "@SimulatableIntrinsic()\noperation Flip(q : Qubit) : Unit { X(q); }\n"
        "operation Main() : Result { use q = Qubit(); Flip(q); MResetZ(q) }"
    )
    assert counts(source, shots=3) == {"1": 3}


def test_a_failure_of_the_qir_simulation_is_reported_by_the_interpreter() -> None:
    source = "operation Main() : Int { use q = Qubit(); let n = MResetZ(q) == One ? 1 | 0; 10 / n }"
    with pytest.raises(ProgramError, match="line 1, column .*: runtime error: division by zero"):
        counts(source, shots=3)


@pytest.mark.parametrize(
    ("source", "interpreted"),
    [
        (RANDOM_BIT, False),
        ("function F() : Unit { F(); }", True),
        ('operation Main() : Unit { Message("Fact"); DumpMachine(); }', False),
        ('operation Main() : Unit { Std.Diagnostics.Fact(true, ""); }', True),
        ("import Std.Random.DrawRandomBool;", True),
    ],
)
def test_which_programs_need_the_interpreter(source: str, interpreted: bool) -> None:
    assert needs_interpreter(source) is interpreted


def test_allocating_more_qubits_than_the_simulator_takes_is_refused() -> None:
    with pytest.raises(QubitLimitError, match="30 qubits"):
        check("operation Main() : Unit { use q = Qubit[30]; }", "Main()")


@pytest.mark.parametrize(
    "body",
    [
        "let x = " + "(" * 5_000 + "1" + ")" * 5_000 + ";",
        "{" * 3_000 + "}" * 3_000,
        "let x = " + "1 + " * 5_000 + "1;",
        "mutable x = 0; if x == 0 { set x = 1; } " + "elif x == 1 { set x = 2; } " * 3_000,
    ],
)
def test_nesting_that_would_overflow_qdk_is_refused(body: str) -> None:
    with pytest.raises(ProgramError, match="nests|operators|else"):
        check("operation Main() : Unit { " + body + " }", "Main()")


def test_nesting_at_the_limit_compiles() -> None:
    depth = MAX_NESTING - 2  # the operation's body and the innermost parentheses
    check("operation Main() : Int { " + "{" * depth + "1" + "}" * depth + " }", "Main()")


def test_the_default_entry_is_the_entry_point_operation() -> None:
    source = "namespace Demo {\n  @EntryPoint()\n  operation Go() : Unit {}\n}"
    assert default_entry(source) == "Demo.Go()"


def test_the_default_entry_without_an_entry_point_is_main() -> None:
    assert default_entry(RANDOM_BIT) == "Main()"


def test_concurrent_checks_each_get_their_own_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    unraisable: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)

    def answer(n: int) -> tuple[int, ProgramError | None]:
        value = f"{n}" if n % 3 else f"{n}.0"  # every third program does not compile
        entry = f"Op{n}()" if n % 2 else f"Op{n}({n})"  # every second entry does not compile
        try:
            check(f"operation Op{n}() : Int {{ {value} }}", entry)
        except ProgramError as error:
            return n, error  # kept alive until the threads are gone, with its traceback
        return n, None

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(answer, range(24)))
    for n, error in answers:
        if n % 3 == 0:
            assert type(error) is ProgramError and "expected Int, found Double" in str(error)
        elif n % 2 == 0:
            assert isinstance(error, EntryError) and f"Op{n}({n})" in str(error)
        else:
            assert error is None
    del answers, error
    gc.collect()
    assert unraisable == []
