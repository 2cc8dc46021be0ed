"""The CKK number partitioning solver."""

from __future__ import annotations

import random
import time

import pytest

from shared.solvers.partition import lower_bound, partition

SEED_WEIGHTS = [5, 11, 8, 7, 1, 1]


def never() -> bool:
    return False


def brute_force(weights: list[int]) -> int:
    """The smallest difference over every partition (the first weight's side fixed)."""
    first, rest = weights[0], weights[1:]
    best = None
    for mask in range(1 << len(rest)):
        signed = first + sum(w if mask >> i & 1 else -w for i, w in enumerate(rest))
        best = abs(signed) if best is None else min(best, abs(signed))
    return best


def random_instances(count: int, seed: int) -> list[list[int]]:
    rng = random.Random(seed)
    return [
        [rng.randint(0, rng.choice([10, 1_000, 10**12])) for _ in range(rng.randint(1, 14))]
        for _ in range(count)
    ]


@pytest.mark.parametrize("weights", random_instances(120, seed=1))
def test_finds_the_optimum_of_small_instances(weights: list[int]) -> None:
    found = partition(weights, time_limit=10, should_stop=never)
    assert found.difference == brute_force(weights)
    assert found.optimal


@pytest.mark.parametrize("weights", random_instances(40, seed=2))
def test_signs_add_up_to_the_reported_difference(weights: list[int]) -> None:
    found = partition(weights, time_limit=10, should_stop=never)
    assert len(found.signs) == len(weights)
    assert set(found.signs) <= {1, -1}
    assert sum(w * s for w, s in zip(weights, found.signs, strict=True)) == found.difference


def test_seed_instance_has_difference_one() -> None:
    found = partition(SEED_WEIGHTS, time_limit=2, should_stop=never)
    assert found.difference == 1
    assert found.optimal


def test_lower_bound_is_parity_or_largest_against_the_rest() -> None:
    assert lower_bound([2, 2, 3]) == 1
    assert lower_bound([2, 2, 4]) == 0
    assert lower_bound([100, 1, 2]) == 97


def test_a_dominant_weight_is_alone_on_its_side() -> None:
    found = partition([100, 1, 2, 3], time_limit=2, should_stop=never)
    assert found.signs == [1, -1, -1, -1]
    assert found.difference == 94


def test_ten_thousand_random_weights_reach_the_bound_quickly() -> None:
    rng = random.Random(3)
    weights = [rng.randrange(2**53) for _ in range(10_000)]
    started = time.monotonic()
    found = partition(weights, time_limit=60, should_stop=never)
    assert time.monotonic() - started < 30  # ended by its proof, long before its limit
    assert found.difference == lower_bound(weights)
    assert found.optimal


def test_ten_thousand_weights_stop_at_the_time_limit() -> None:
    # 9,999 twos: every difference is a multiple of 2 but the bound is 0, so the search
    # cannot prove the optimum and runs until its time limit.
    started = time.monotonic()
    partition([2] * 9_999, time_limit=60, should_stop=lambda: True)
    first_answer = time.monotonic() - started
    started = time.monotonic()
    found = partition([2] * 9_999, time_limit=0.3, should_stop=never)
    elapsed = time.monotonic() - started
    # Past its limit by no more than the first answer's cost, with slack for a loaded machine.
    assert 0.3 <= elapsed < 0.3 + 3 * first_answer + 2
    assert found.difference == 2
    assert not found.optimal


def test_stop_request_ends_the_search_after_the_first_answer() -> None:
    asked = []

    def stop() -> bool:
        asked.append(True)
        return True

    started = time.monotonic()
    found = partition([2] * 9_999, time_limit=60, should_stop=stop)
    assert time.monotonic() - started < 30  # stopped, not timed out
    assert asked
    assert found.difference == 2
    assert not found.optimal


def test_search_improves_on_karmarkar_karp() -> None:
    # Differencing alone gives 8-7, 6-5, 4-1, 3-1 = 2; {8, 7} against {6, 5, 4} is perfect.
    found = partition([8, 7, 6, 5, 4], time_limit=2, should_stop=never)
    assert found.difference == 0
    assert found.optimal
