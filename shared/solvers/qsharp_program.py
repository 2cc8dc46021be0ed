"""Q# programs on qdk: checking a program and its entry expression, running its shots.

A program is compiled as the one file of a throwaway Q# project, never evaluated as notebook
cells: a project file holds only declarations, so top-level statements (`while true {}`) are a
syntax error instead of running in the host, and `check` executes nothing. The entry
expression is then type-checked inside an operation that is declared but never called.

What `check` refuses besides qdk's own errors, because qdk fails badly on it:

- nesting deeper than its native parser takes (`program_text.check_text`);
- a single allocation of more qubits than local simulation takes (`Qubit[30]`); allocations
  whose size is computed are bounded at run time: by the qubits QIR says it needs, and on the
  interpreter (which has no qubit limit of its own) by a check `run` puts around the size of
  each `Qubit[...]`, which fails the program before it allocates more than MAX_QUBITS.

Recursion is allowed: `check` compiles for the interpreter, which recurses on the heap (100,000
calls deep take 0.7 s). QIR generation segfaults on it (even 1,000 deep, qdk 1.33), so a
recursive program never goes there: `run` gives it to the interpreter, and `recursion` names
the cycle for those who need QIR (remote targets refuse it).

qdk's interpreter objects belong to the thread that made them (dropping one elsewhere fails
and leaks it): every use goes through `program_context`, which holds `qdk_calls.QDK_LOCK` and
frees the interpreter on the calling thread. A check takes about 50 ms (most of it compiling
Q#'s standard library), so the lock costs little: qdk holds the GIL while it compiles anyway.
"""

from __future__ import annotations

import logging
import random
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path

from qdk import Context
from qdk.qsharp import TargetProfile
from qdk.simulation import run_qir

from .outcomes import outcome
from .program_text import ProgramError, check_text, without_comments_and_strings
from .qdk_calls import QDK_LOCK, reported

MAX_QUBITS = 22  # as the circuit kind: where dense local simulation stops making sense
MAX_ENTRY = 1000  # characters of an entry expression
DEFAULT_ENTRY = "Main()"
_FIRST_BATCH = 100  # shots in the first qdk call; each later call runs twice as many
_FILE = "Program.qs"  # its declarations outside any namespace live in namespace Program

_CALLABLE = re.compile(r"\b(?:operation|function)\s+([A-Za-z_]\w*)")
_NAMESPACE = re.compile(r"\bnamespace\s+([A-Za-z_][\w.]*)\s*\{")
_ENTRY_POINT = re.compile(r"@EntryPoint\s*\(\s*\)\s*operation\s+([A-Za-z_]\w*)")
_ENTRY = re.compile(r"\s*([A-Za-z_][\w.]*)\s*\(.*\)\s*", re.DOTALL)
_ALLOCATION = re.compile(r"\bQubit\s*\[\s*(\d+)\s*\]")
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
_REQUIRED_QUBITS = re.compile(r'"required_num_qubits"="(\d+)"')
_QUBIT_ARRAY = re.compile(r"\bQubit\s*\[(?!\s*\])")  # an allocation, not the type Qubit[]
# The interpreter's qubit bound: a file of its own beside the program, called by full name.
_BOUND_FILE = "QjobsQubitBound.qs"
_BOUND = "QjobsQubitBound.Checked"
_BOUND_FAILURE = "qjobs qubit bound: allocates "
_BOUND_SOURCE = f"""namespace QjobsQubitBound {{
    function Checked(count : Int) : Int {{
        if count > {MAX_QUBITS} {{ fail $"{_BOUND_FAILURE}{{count}}"; }}
        count
    }}
}}
"""
_BOUND_FAILED = re.compile(re.escape(_BOUND_FAILURE) + r"(-?\d+)")
# What QIR cannot mean as simulation does, so a program naming one runs on the interpreter:
# callables QIR cannot express (random numbers, reading the state, counting) and callables
# whose QIR is nothing (qdk 1.33 drops Fact's check and the noise settings, so a failing Fact
# would pass and noise would vanish), and the attribute marking a program's own such callables.
SIMULATION_ONLY = frozenset(
    {
        "DrawRandomInt",
        "DrawRandomDouble",
        "DrawRandomBool",
        "CheckZero",
        "CheckAllZero",
        "CheckOperationsAreEqual",
        "Fact",
        "ConfigurePauliNoise",
        "ConfigureQubitLoss",
        "ApplyIdleNoise",
        "StartCountingOperation",
        "StopCountingOperation",
        "StartCountingFunction",
        "StopCountingFunction",
        "StartCountingQubits",
        "StopCountingQubits",
        "SimulatableIntrinsic",
    }
)

log = logging.getLogger(__name__)


class EntryError(ProgramError):
    """The entry expression is what cannot run (the program itself compiled)."""


class QubitLimitError(ProgramError):
    """The program needs more qubits than local simulation takes (a size limit: 413)."""


def default_entry(source: str) -> str:
    """The entry when a request names none: the `@EntryPoint()` operation, else `Main()`."""
    code = without_comments_and_strings(source)
    found = _ENTRY_POINT.search(code)
    if found is None:
        return DEFAULT_ENTRY
    namespaces = list(_NAMESPACE.finditer(code, 0, found.start()))
    prefix = namespaces[-1].group(1) + "." if namespaces else ""
    return f"{prefix}{found.group(1)}()"


def check(source: str, entry: str) -> None:
    """ProgramError if `source` cannot run here; EntryError if `entry` is what is wrong."""
    check_text(source)
    code = without_comments_and_strings(source)
    _check_allocations(code)
    _check_entry_text(entry, set(_callables(code)))
    not_compiling = lambda error: EntryError(f"entry {entry!r} does not compile: {error}")  # noqa: E731
    with program_context(source, TargetProfile.Unrestricted) as context, reported(not_compiling):
        context.eval(f"operation QjobsEntryCheck() : Unit {{ let _ = {entry}; }}")


@contextmanager
def program_context(
    source: str, profile: TargetProfile, beside: Mapping[str, str] | None = None
) -> Iterator[Context]:
    """A fresh qdk context holding `source` compiled for `profile`, its names in scope, with
    the files `beside` (name: Q# text) in its project.

    ProgramError with the compiler's messages when it does not compile for that profile.
    """
    with QDK_LOCK, tempfile.TemporaryDirectory(prefix="qjobs-qsharp-") as root:
        (Path(root) / "qsharp.json").write_text("{}", encoding="utf-8")
        (Path(root) / "src").mkdir()
        (Path(root) / "src" / _FILE).write_text(source, encoding="utf-8")
        for name, text in (beside or {}).items():
            (Path(root) / "src" / name).write_text(text, encoding="utf-8")
        context = None
        try:
            with reported():
                context = Context(project_root=root, target_profile=profile)
            # Fails when the program declares its callables in namespaces of its own.
            with suppress(ProgramError), reported():
                context.eval("import Program.*;")
            yield context
        finally:
            if context is not None:
                # Free its interpreter here, on this thread, even while a traceback still
                # holds the context: its callables refer back to it (a cycle the garbage
                # collector may break on another thread, where dropping it fails and leaks).
                context.code = None
                context._interpreter = None


def run(
    source: str, entry: str, *, shots: int, seed: int | None, should_stop: Callable[[], bool]
) -> tuple[dict[str, int], int]:
    """Counts per outcome (`outcomes.outcome` of the entry's value) and the shots run.

    The program runs as Azure Quantum targets run it when its QIR means what simulation means:
    compiled to Adaptive_RIF QIR and simulated (so a qubit measured and released unreset, as in
    `use q = Qubit(); H(q); return M(q);`, is fine). The rest runs on qdk's interpreter as
    `qsharp.run` runs it (released qubits must be |0> there): a recursive program, one naming a
    SIMULATION_ONLY callable, one beyond Adaptive_RIF (a loop on a measurement result), and
    one whose QIR fails to compile or to simulate (all its shots then run again there).
    `should_stop` is asked between batches of shots; the same seed gives the same counts.
    """
    check(source, entry)
    program = None if needs_interpreter(source) else _adaptive_qir(source, entry)
    if program is not None:
        try:
            return _sample(
                lambda size, shot_seed: run_qir(program, shots=size, seed=shot_seed),
                shots=shots,
                seed=seed,
                should_stop=should_stop,
            )
        except Exception as error:  # noqa: BLE001 - the interpreter runs it, or says why not
            log.info("QIR simulation failed (%s); running the program on the interpreter", error)
    bounded = with_qubit_bound(source)
    with program_context(
        bounded, TargetProfile.Unrestricted, {_BOUND_FILE: _BOUND_SOURCE}
    ) as interpreter:

        def interpreted(size: int, shot_seed: int | None) -> list[object]:
            events = interpreter.run(entry, size, seed=shot_seed, save_events=True)
            return [event["result"] for event in events]

        return _sample(interpreted, shots=shots, seed=seed, should_stop=should_stop)


def needs_interpreter(source: str) -> bool:
    """Whether `source` must run on the interpreter, whatever QIR would make of it."""
    names = _IDENTIFIER.findall(without_comments_and_strings(source))
    return recursion(source) is not None or not SIMULATION_ONLY.isdisjoint(names)


def recursion(source: str) -> str | None:
    """A cycle among the program's callables ("F calls itself through G"), found lexically."""
    return _cycle(_callables(without_comments_and_strings(source)))


def _sample(
    run_shots: Callable[[int, int | None], list[object]],
    *,
    shots: int,
    seed: int | None,
    should_stop: Callable[[], bool],
) -> tuple[dict[str, int], int]:
    """Counts of `run_shots(size, seed)`'s values, run in growing batches until `shots`."""
    # qdk seeds shot i of a call with seed + i, so the calls' seeds are drawn, not counted up;
    # run_qir takes a 32-bit seed.
    seeds = None if seed is None else random.Random(seed)
    counts: Counter[str] = Counter()
    done, batch = 0, _FIRST_BATCH
    while done < shots and not (done and should_stop()):
        size = min(batch, shots - done)
        shot_seed = None if seeds is None else seeds.getrandbits(32)
        with reported(_qubit_limit):
            values = run_shots(size, shot_seed)
        counts.update(outcome(value) for value in values)
        done += size
        batch *= 2
    return dict(sorted(counts.items())), done


def compile_entry(context: Context, entry: str) -> str:
    """The QIR text of `entry` in `context` (ProfileError when its profile cannot run it)."""
    with reported():
        return str(context.compile(entry))


def _adaptive_qir(source: str, entry: str) -> str | None:
    """The program's Adaptive_RIF QIR, or None when it does not compile to it.

    `check` compiled the program already, so what fails here is QIR's: a profile error, a
    callable not available in QIR, partial evaluation (a `fail` it reaches), qdk's panic.
    """
    try:
        with program_context(source, TargetProfile.Adaptive_RIF) as context:
            qir = compile_entry(context, entry)
    except ProgramError:
        return None
    needed = _REQUIRED_QUBITS.search(qir)
    if needed and int(needed.group(1)) > MAX_QUBITS:
        raise QubitLimitError(
            f"needs {needed.group(1)} qubits; local.simulator simulates at most {MAX_QUBITS}"
        )
    return qir


def with_qubit_bound(source: str) -> str:
    """`source` with the size of each `Qubit[size]` allocation passed through the bound's
    check (`Qubit[QjobsQubitBound.Checked(size)]`), for the interpreter: a size over
    MAX_QUBITS, computed or not, fails the program before anything is allocated."""
    code = without_comments_and_strings(source)
    pieces: list[str] = []
    done = 0
    for allocation in _QUBIT_ARRAY.finditer(code):
        start = allocation.end()
        end = _closing_bracket(code, start)
        if start < done or end is None:
            continue
        pieces += [source[done:start], f"{_BOUND}(", source[start:end], ")"]
        done = end
    return "".join(pieces) + source[done:]


def _closing_bracket(code: str, start: int) -> int | None:
    """Where the `]` closing the `[` just before `start` is (None when it is not closed)."""
    depth = 0
    for position in range(start, len(code)):
        if code[position] in "([{":
            depth += 1
        elif code[position] in ")}":
            depth -= 1
        elif code[position] == "]":
            if depth == 0:
                return position
            depth -= 1
    return None


def _qubit_limit(error: ProgramError) -> ProgramError:
    """The bound's failure as QubitLimitError; any other error as it is."""
    failed = _BOUND_FAILED.search(str(error))
    if failed is None:
        return error
    return QubitLimitError(
        f"allocates {int(failed.group(1)):,} qubits; local.simulator simulates at most {MAX_QUBITS}"
    )


def _check_allocations(code: str) -> None:
    for allocation in _ALLOCATION.finditer(code):
        if int(allocation.group(1)) > MAX_QUBITS:
            raise QubitLimitError(
                f"allocates {int(allocation.group(1)):,} qubits at once;"
                f" local.simulator simulates at most {MAX_QUBITS}"
            )


def _callables(code: str) -> dict[str, set[str]]:
    """Each callable the program declares and the program's callables its text names."""
    declarations = list(_CALLABLE.finditer(code))
    names = {declaration.group(1) for declaration in declarations}
    named: dict[str, set[str]] = {}
    for n, declaration in enumerate(declarations):
        end = declarations[n + 1].start() if n + 1 < len(declarations) else len(code)
        body = code[declaration.end() : end]
        named.setdefault(declaration.group(1), set()).update(
            word for word in _IDENTIFIER.findall(body) if word in names
        )
    return named


def _cycle(calls: dict[str, set[str]]) -> str | None:
    """How a callable reaches itself through those it names ("F calls itself through G")."""
    for start in sorted(calls):
        path = [start]
        pending: list[tuple[str, list[str]]] = [(callee, path) for callee in calls[start]]
        seen: set[str] = set()
        while pending:
            name, via = pending.pop()
            if name == start:
                through = " through " + ", ".join(via[1:]) if len(via) > 1 else ""
                return f"{start} calls itself{through}"
            if name in seen:
                continue
            seen.add(name)
            pending.extend((callee, [*via, name]) for callee in calls.get(name, ()))
    return None


def _check_entry_text(entry: str, callables: set[str]) -> None:
    if len(entry) > MAX_ENTRY:
        raise EntryError(f"entry has {len(entry):,} characters; at most {MAX_ENTRY:,} are allowed")
    call = _ENTRY.fullmatch(entry)
    if call is None or any(mark in entry for mark in "{};"):
        raise EntryError("entry must be a call of one of the program's callables, like Main()")
    name = call.group(1).rsplit(".", 1)[-1]
    if name not in callables:
        known = ", ".join(sorted(callables)) or "none"
        raise EntryError(
            f"entry calls {call.group(1)!r}, which the program does not declare;"
            f" its callables are: {known}"
        )
