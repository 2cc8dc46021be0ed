"""The registry of job kinds and the contract every kind keeps."""

from __future__ import annotations

import json
import math
import pickle
import random

import pytest

from shared.kinds import KINDS, InvalidJob, JobKind, kind_named

VALID_BODIES = {
    "number_partitioning": {"weights": [5, 11, 8, 7, 1, 1]},
    "ising": {"terms": [{"c": 1, "ids": [0, 1]}, {"c": -1, "ids": [1]}]},
    "pubo": {"terms": [{"c": 1, "ids": [0, 1]}, {"c": -1, "ids": [1]}]},
    "circuit": {"source": 'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit q;\nbit c = measure q;\n'},
    "qsharp": {"source": "operation Main() : Result { use q = Qubit(); H(q); MResetZ(q) }"},
    "resource_estimate": {
        "source": "operation Main() : Result { use q = Qubit(); T(q); MResetZ(q) }",
    },
}

JUNK = [
    None,
    True,
    False,
    0,
    -1,
    1.5,
    10**400,
    -(10**400),
    math.nan,
    math.inf,
    -math.inf,
    "",
    "3",
    "\ud800",
    "\x00",
    [],
    [None],
    [[[]]],
    {},
    {"c": None, "ids": None},
    {"": {"": []}},
]


def random_json(rng: random.Random, depth: int = 0) -> object:
    choice = rng.randrange(8 if depth < 3 else 5)
    if choice == 0:
        return rng.choice([None, True, False])
    if choice == 1:
        return rng.randint(-(2**70), 2**70)
    if choice == 2:
        return rng.uniform(-1e6, 1e6)
    if choice == 3:
        return "".join(rng.choice("ab;{}()[]\"'0 ") for _ in range(rng.randrange(10)))
    if choice == 4:
        return rng.choice(JUNK)
    if choice in (5, 6):
        return [random_json(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {rng.choice(["c", "ids", "x"]): random_json(rng, depth + 1) for _ in range(3)}


def variants(kind: str) -> list[dict]:
    """The kind's valid body with one value at a time (top-level or nested) made junk."""
    rng = random.Random(kind)
    values = JUNK + [random_json(rng) for _ in range(60)]
    bodies = []
    for value in values:
        for field in sorted(KINDS[kind].fields):
            bodies.append({**VALID_BODIES[kind], field: value})
        if kind == "number_partitioning":
            bodies.append({"weights": [1, value]})
        if kind in ("ising", "pubo"):
            bodies.append({"terms": [value]})
            bodies.append({"terms": [{"c": value, "ids": [0]}]})
            bodies.append({"terms": [{"c": 1, "ids": [0, value]}]})
    return bodies


def test_kinds_are_registered_under_their_names() -> None:
    assert sorted(KINDS) == [
        "circuit",
        "ising",
        "number_partitioning",
        "pubo",
        "qsharp",
        "resource_estimate",
    ]
    assert all(isinstance(kind, JobKind) and KINDS[name] is kind for name, kind in KINDS.items())


def test_optimization_kinds_run_on_the_optimizer_circuits_on_the_simulator_estimates_apart() -> (
    None
):
    assert {name: kind.targets[0] for name, kind in KINDS.items()} == {
        "number_partitioning": "local.optimizer",
        "ising": "local.optimizer",
        "pubo": "local.optimizer",
        "circuit": "local.simulator",
        "qsharp": "local.simulator",
        "resource_estimate": "local.estimator",
    }


def test_kind_named_finds_a_kind() -> None:
    assert kind_named("pubo") is KINDS["pubo"]


@pytest.mark.parametrize("name", [None, "factoring", 3, ["ising"], "ISING"])
def test_kind_named_refuses_anything_else_listing_the_kinds(name: object) -> None:
    with pytest.raises(InvalidJob) as raised:
        kind_named(name)
    assert raised.value.pointer == "/kind"
    assert raised.value.status == 400
    assert all(known in raised.value.detail for known in KINDS)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_unknown_field_is_refused_by_name(kind: str) -> None:
    with pytest.raises(InvalidJob) as raised:
        KINDS[kind].validate({**VALID_BODIES[kind], "weigths/x": 1})
    assert raised.value.pointer == "/weigths~1x"
    assert "weigths/x" in raised.value.detail


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_field_validate_accepts_is_one_the_kind_owns(kind: str) -> None:
    for field in KINDS[kind].fields:
        with pytest.raises(InvalidJob) as raised:
            KINDS[kind].validate({**VALID_BODIES[kind], field: {"not": "valid"}})
        assert raised.value.pointer.startswith(f"/{field}")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_junk_values_only_ever_raise_invalid_job(kind: str) -> None:
    for body in variants(kind):
        try:
            problem = KINDS[kind].validate(body)
        except InvalidJob as error:
            assert error.status in (400, 413)
            assert error.pointer is not None and error.pointer.startswith("/")
            assert error.detail
            continue
        json.dumps(problem, allow_nan=False)  # whatever is accepted is storable JSON


@pytest.mark.parametrize("body", [None, [], "weights", 7])
def test_a_body_that_is_not_an_object_is_invalid(body: object) -> None:
    with pytest.raises(InvalidJob) as raised:
        KINDS["number_partitioning"].validate(body)  # type: ignore[arg-type]
    assert raised.value.pointer == ""


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_job_input_and_result_are_json(kind: str) -> None:
    job = KINDS[kind].validate(VALID_BODIES[kind])
    assert json.loads(json.dumps(job, allow_nan=False)) == job
    result = KINDS[kind].solve(job, lambda: False)
    assert json.loads(json.dumps(result, allow_nan=False)) == result


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_solve_can_be_sent_to_a_worker_process(kind: str) -> None:
    assert pickle.loads(pickle.dumps(KINDS[kind].solve)) is KINDS[kind].solve


def test_invalid_job_survives_pickling() -> None:
    error = pickle.loads(pickle.dumps(InvalidJob("too big", pointer="/terms", status=413)))
    assert (error.detail, error.pointer, error.status) == ("too big", "/terms", 413)


NOT_A_NUMBER = [None, True, False, math.nan, math.inf, -math.inf, "", "3", [], [None], {}]


@pytest.mark.parametrize("value", [*NOT_A_NUMBER, -1, 1.5], ids=repr)
def test_a_weight_that_is_not_a_positive_integer_is_rejected(value: object) -> None:
    with pytest.raises(InvalidJob) as raised:
        KINDS["number_partitioning"].validate({"weights": [1, value]})
    assert raised.value.pointer == "/weights/1"


@pytest.mark.parametrize("kind", ["ising", "pubo"])
@pytest.mark.parametrize("value", NOT_A_NUMBER, ids=repr)
def test_a_coefficient_that_is_not_a_finite_number_is_rejected(kind: str, value: object) -> None:
    with pytest.raises(InvalidJob) as raised:
        KINDS[kind].validate({"terms": [{"c": value, "ids": [0]}]})
    assert raised.value.pointer.startswith("/terms/0")


@pytest.mark.parametrize("kind", ["ising", "pubo"])
@pytest.mark.parametrize("value", [*NOT_A_NUMBER, -1, 1.5], ids=repr)
def test_a_variable_id_that_is_not_a_natural_number_is_rejected(kind: str, value: object) -> None:
    with pytest.raises(InvalidJob) as raised:
        KINDS[kind].validate({"terms": [{"c": 1, "ids": [0, value]}]})
    assert raised.value.pointer.startswith("/terms/0")
