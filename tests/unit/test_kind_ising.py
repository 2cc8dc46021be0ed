"""The ising and pubo kinds: QIO terms in, a configuration and its cost out."""

from __future__ import annotations

import math

import pytest

from shared.kinds import KINDS, InvalidJob

ISING = KINDS["ising"]
PUBO = KINDS["pubo"]
TERMS = [
    {"c": 1, "ids": [0, 1]},
    {"c": -2, "ids": [1]},
    {"c": 3, "ids": []},
    {"c": 5, "ids": [7, 7]},
]


def invalid(body: dict) -> InvalidJob:
    with pytest.raises(InvalidJob) as raised:
        ISING.validate(body)
    return raised.value


def test_terms_and_defaults_are_normalized() -> None:
    assert ISING.validate({"terms": [{"c": 2, "ids": [3, 1]}]}) == {
        "terms": [{"c": 2.0, "ids": [3, 1]}],
        "sweeps": 1000,
        "reads": 10,
        "seed": 0,
        "time_limit": 10.0,
    }


def test_ising_and_pubo_share_the_request_shape() -> None:
    body = {"terms": TERMS, "sweeps": 10, "seed": 4, "time_limit": 1}
    assert ISING.validate(body) == PUBO.validate(body)


@pytest.mark.parametrize(
    ("term", "pointer"),
    [
        ({"c": 1, "ids": "0,1"}, "/terms/0/ids"),
        ({"c": 1, "ids": [0, -1]}, "/terms/0/ids/1"),
        ({"c": 1, "ids": [1_000_001]}, "/terms/0/ids/0"),
        ({"c": 1, "ids": [0.5]}, "/terms/0/ids/0"),
        ({"c": 1, "ids": [True]}, "/terms/0/ids/0"),
        ({"c": "1", "ids": [0]}, "/terms/0/c"),
        ({"c": True, "ids": [0]}, "/terms/0/c"),
        ({"c": math.nan, "ids": [0]}, "/terms/0/c"),
        ({"c": -math.inf, "ids": [0]}, "/terms/0/c"),
        ({"c": 10**400, "ids": [0]}, "/terms/0/c"),
        ({"c": 1e301, "ids": [0]}, "/terms/0/c"),
        ({"ids": [0]}, "/terms/0/c"),
        ({"c": 1}, "/terms/0/ids"),
        ({"c": 1, "ids": [0], "type": "ising"}, "/terms/0/type"),
        ([1, [0]], "/terms/0"),
    ],
)
def test_bad_terms_are_400_pointing_at_the_bad_value(term: object, pointer: str) -> None:
    error = invalid({"terms": [term]})
    assert (error.status, error.pointer) == (400, pointer)


def test_nan_is_named_in_the_message() -> None:
    assert "NaN" in invalid({"terms": [{"c": math.nan, "ids": [0]}]}).detail


@pytest.mark.parametrize("terms", [[], "x", None])
def test_terms_must_be_a_non_empty_array(terms: object) -> None:
    assert invalid({"terms": terms}).pointer == "/terms"


def test_more_than_100_000_terms_is_413() -> None:
    error = invalid({"terms": [{"c": 1, "ids": []}] * 100_001})
    assert (error.status, error.pointer) == (413, "/terms")


def test_more_than_100_000_distinct_variables_is_413() -> None:
    error = invalid({"terms": [{"c": 1, "ids": list(range(100_001))}]})
    assert (error.status, error.pointer) == (413, "/terms")


def test_more_than_a_million_ids_in_all_is_413() -> None:
    error = invalid({"terms": [{"c": 1, "ids": [0] * 500_001}] * 2})
    assert (error.status, error.pointer) == (413, "/terms")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sweeps", 0),
        ("sweeps", 100_001),
        ("sweeps", 1.5),
        ("reads", 0),
        ("reads", 10_001),
        ("seed", -1),
        ("seed", 2**64),
    ],
)
def test_out_of_range_options_are_400(field: str, value: object) -> None:
    error = invalid({"terms": TERMS, field: value})
    assert (error.status, error.pointer) == (400, f"/{field}")


def test_ising_result_gives_spins_for_every_id_and_the_ground_cost() -> None:
    result = ISING.solve(ISING.validate({"terms": TERMS}), lambda: False)
    # s0*s1 - 2*s1 + 3 + 5 (s7*s7 = 1) is lowest at s1 = 1, s0 = -1.
    assert result["configuration"]["0"] == -1
    assert result["configuration"]["1"] == 1
    assert set(result["configuration"]) == {"0", "1", "7"}
    assert result["cost"] == 5.0
    assert (result["algorithm"], result["sweeps"]) == ("simulated_annealing", 1000)


def test_pubo_result_gives_bits_for_every_id_and_the_ground_cost() -> None:
    result = PUBO.solve(PUBO.validate({"terms": TERMS}), lambda: False)
    # x0*x1 - 2*x1 + 3 + 5*x7 is lowest at x1 = 1, x0 = 0, x7 = 0.
    assert result["configuration"] == {"0": 0, "1": 1, "7": 0}
    assert result["cost"] == 1.0


def test_reported_cost_is_the_cost_of_the_configuration() -> None:
    terms = [{"c": 0.5 * (i % 7 - 3), "ids": [i % 13, (i * 5) % 13, i % 3]} for i in range(60)]
    result = ISING.solve(ISING.validate({"terms": terms, "sweeps": 30}), lambda: False)
    values = {int(i): v for i, v in result["configuration"].items()}
    expected = sum(t["c"] * math.prod(values[i] for i in t["ids"]) for t in terms)
    assert result["cost"] == pytest.approx(expected)


def test_same_seed_gives_the_same_result() -> None:
    terms = [{"c": (-1) ** i * (i % 5 + 1), "ids": [i % 40, (i * 7) % 40]} for i in range(200)]
    job = ISING.validate({"terms": terms, "sweeps": 20, "seed": 9})
    assert ISING.solve(job, lambda: False) == ISING.solve(job, lambda: False)


def test_a_job_stored_before_reads_existed_still_runs() -> None:
    job = ISING.validate({"terms": TERMS, "sweeps": 10})
    del job["reads"]
    assert ISING.solve(job, lambda: False)["cost"] == 5.0
