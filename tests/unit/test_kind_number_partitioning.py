"""The number_partitioning kind: its request fields and its result."""

from __future__ import annotations

import pytest

from shared.kinds import KINDS, InvalidJob

KIND = KINDS["number_partitioning"]
SEED_WEIGHTS = [5, 11, 8, 7, 1, 1]


def invalid(body: dict) -> InvalidJob:
    with pytest.raises(InvalidJob) as raised:
        KIND.validate(body)
    return raised.value


def test_weights_and_default_time_limit_are_normalized() -> None:
    assert KIND.validate({"weights": [3, 0, 2**53]}) == {
        "weights": [3, 0, 2**53],
        "time_limit": 2.0,
    }


def test_the_seed_alias_mineral_weights_is_accepted() -> None:
    assert KIND.validate({"mineralWeights": SEED_WEIGHTS})["weights"] == SEED_WEIGHTS


def test_weights_and_mineral_weights_together_are_refused() -> None:
    assert invalid({"weights": [1], "mineralWeights": [1]}).pointer == "/mineralWeights"


@pytest.mark.parametrize(
    ("weights", "pointer"),
    [
        ([5, 11, 1.5], "/weights/2"),
        ([5, 2.0**60], "/weights/1"),
        ([5, "11"], "/weights/1"),
        ([5, True], "/weights/1"),
        ([5, -1], "/weights/1"),
        ([5, 2**53 + 1], "/weights/1"),
        ([5, None], "/weights/1"),
        ("5,11", "/weights"),
        ([], "/weights"),
    ],
)
def test_bad_weights_are_400_pointing_at_the_bad_value(weights: object, pointer: str) -> None:
    error = invalid({"weights": weights})
    assert (error.status, error.pointer) == (400, pointer)


def test_a_weight_with_a_decimal_point_but_no_fraction_is_that_integer() -> None:
    assert KIND.validate({"weights": [410.0, 5]})["weights"] == [410, 5]
    assert isinstance(KIND.validate({"weights": [410.0]})["weights"][0], int)


def test_bad_alias_values_point_into_the_alias() -> None:
    assert invalid({"mineralWeights": [1, "x"]}).pointer == "/mineralWeights/1"


def test_missing_weights_is_400() -> None:
    error = invalid({"time_limit": 1})
    assert (error.status, error.pointer) == (400, "/weights")


def test_more_than_ten_thousand_weights_is_413() -> None:
    error = invalid({"weights": [1] * 10_001})
    assert (error.status, error.pointer) == (413, "/weights")


def test_ten_thousand_weights_are_accepted() -> None:
    assert len(KIND.validate({"weights": [1] * 10_000})["weights"]) == 10_000


@pytest.mark.parametrize("time_limit", [0, -1, 60.5, "2", True, None])
def test_time_limit_outside_0_to_60_seconds_is_400(time_limit: object) -> None:
    assert invalid({"weights": [1], "time_limit": time_limit}).pointer == "/time_limit"


def test_time_limit_is_kept_as_seconds() -> None:
    assert KIND.validate({"weights": [1], "time_limit": 60})["time_limit"] == 60.0


def test_seed_instance_result_has_difference_one_and_consistent_parts() -> None:
    result = KIND.solve(KIND.validate({"weights": SEED_WEIGHTS}), lambda: False)
    assert result["difference"] == 1
    assert result["optimal"] is True
    assert result["algorithm"] == "ckk"
    assert list(result["assignment"]) == [str(i) for i in range(len(SEED_WEIGHTS))]
    plus = [w for i, w in enumerate(SEED_WEIGHTS) if result["assignment"][str(i)] == 1]
    minus = [w for i, w in enumerate(SEED_WEIGHTS) if result["assignment"][str(i)] == -1]
    assert result["subsets"] == [plus, minus]
    assert result["sums"] == [sum(plus), sum(minus)]
    assert result["difference"] == result["sums"][0] - result["sums"][1]


def test_a_stopped_search_answers_with_its_best_so_far() -> None:
    job = KIND.validate({"weights": [2] * 9_999, "time_limit": 60})
    result = KIND.solve(job, lambda: True)
    assert result["difference"] == 2
    assert result["optimal"] is False
