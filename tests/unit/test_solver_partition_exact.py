"""Exact number partitioning (meet in the middle) and the choice between it and CKK."""

from __future__ import annotations

import itertools
import random

import pytest

from shared.solvers.partition_choice import best_partition
from shared.solvers.partition_exact import MAX_WEIGHTS, exact_partition, subset_sums


def never() -> bool:
    return False


def brute_force(weights: list[int]) -> int:
    """The smallest difference over every assignment of signs (itertools, no shortcuts)."""
    return min(
        abs(sum(s * w for s, w in zip(signs, weights, strict=True)))
        for signs in itertools.product((1, -1), repeat=len(weights))
    )


def dynamic_programming(weights: list[int]) -> int:
    """The smallest difference from the set of reachable subset sums (small weights only)."""
    reachable = 1  # bit s set: some subset sums to s
    for w in weights:
        reachable |= reachable << w
    total = sum(weights)
    return min(abs(total - 2 * s) for s in range(total + 1) if reachable >> s & 1)


def signed_sum(weights: list[int], signs: list[int]) -> int:
    return sum(s * w for s, w in zip(signs, weights, strict=True))


def instances(count: int, seed: int, sizes: range, bits: tuple[int, ...]) -> list[list[int]]:
    rng = random.Random(seed)
    return [
        [rng.randrange(2 ** rng.choice(bits)) for _ in range(rng.choice(sizes))]
        for _ in range(count)
    ]


def test_subset_sums_are_indexed_by_the_mask_of_the_weights_taken() -> None:
    assert subset_sums([3, 5, 9]).tolist() == [0, 3, 5, 8, 9, 12, 14, 17]


@pytest.mark.parametrize("weights", instances(40, seed=1, sizes=range(1, 15), bits=(4, 20, 52)))
def test_finds_the_brute_force_optimum(weights: list[int]) -> None:
    found = exact_partition(weights, never)
    assert found is not None and found.optimal
    assert found.difference == brute_force(weights)
    assert signed_sum(weights, found.signs) == found.difference


@pytest.mark.parametrize("weights", instances(5, seed=2, sizes=range(36, 41), bits=(10, 12)))
def test_finds_the_dynamic_programming_optimum_of_up_to_40_weights(weights: list[int]) -> None:
    found = exact_partition(weights, never)
    assert found is not None
    assert found.difference == dynamic_programming(weights)
    assert signed_sum(weights, found.signs) == found.difference


def test_the_plus_side_has_the_larger_sum() -> None:
    found = exact_partition([10, 1, 1, 1], never)
    assert found is not None and found.signs == [1, -1, -1, -1]


def test_a_stop_request_gives_no_answer() -> None:
    weights = [random.Random(3).randrange(2**52) for _ in range(40)]
    assert exact_partition(weights, lambda: True) is None


def test_more_than_the_limit_is_refused() -> None:
    with pytest.raises(ValueError, match=str(MAX_WEIGHTS)):
        exact_partition([1] * (MAX_WEIGHTS + 1), never)


@pytest.mark.parametrize("weights", instances(3, seed=4, sizes=range(40, 41), bits=(44, 52)))
def test_forty_large_weights_are_solved_optimally_within_a_1_s_limit(weights: list[int]) -> None:
    found, algorithm = best_partition(weights, time_limit=1, should_stop=never)
    assert (found.optimal, algorithm) == (True, "meet_in_the_middle")
    assert signed_sum(weights, found.signs) == found.difference


def test_what_ckk_proves_at_once_stays_ckk() -> None:
    found, algorithm = best_partition([5, 11, 8, 7, 1, 1], time_limit=1, should_stop=never)
    assert (found.difference, found.optimal, algorithm) == (1, True, "ckk")


def test_more_than_forty_weights_get_ckk() -> None:
    weights = [random.Random(5).randrange(2**44) for _ in range(41)]
    found, algorithm = best_partition(weights, time_limit=0.05, should_stop=never)
    assert algorithm == "ckk"
    assert signed_sum(weights, found.signs) == found.difference
