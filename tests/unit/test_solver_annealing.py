"""Simulated annealing over spins (ising) and bits (pubo)."""

from __future__ import annotations

import itertools
import random
import time

import pytest

from shared.solvers.annealing import Term, anneal, cost


def never() -> bool:
    return False


def solve(terms: list[Term], spin: bool, **options: object) -> dict[int, int]:
    settings: dict = {"sweeps": 1000, "seed": 0, "time_limit": 10, "should_stop": never}
    settings.update(options)
    return anneal(terms, spin=spin, **settings).values


def score(terms: list[Term], values: dict[int, int]) -> float:
    """The energy of a configuration, computed here rather than by the solver's own cost()."""
    total = 0.0
    for c, ids in terms:
        product = 1
        for i in ids:
            product *= values[i]
        total += c * product
    return total


def ground_cost(terms: list[Term], spin: bool) -> float:
    ids = sorted({i for _, term_ids in terms for i in term_ids})
    domain = (-1, 1) if spin else (0, 1)
    return min(
        score(terms, dict(zip(ids, values, strict=True)))
        for values in itertools.product(domain, repeat=len(ids))
    )


def random_terms(rng: random.Random, variables: int) -> list[Term]:
    """Up to 3 * n terms of 0 to 4 ids each (repeats and constants included)."""
    return [
        (
            rng.choice([rng.uniform(-5, 5), float(rng.randint(-3, 3))]),
            [rng.randrange(variables) for _ in range(rng.randint(0, 4))],
        )
        for _ in range(rng.randint(1, 3 * variables))
    ]


def instances(count: int, seed: int) -> list[list[Term]]:
    rng = random.Random(seed)
    return [random_terms(rng, rng.randint(2, 12)) for _ in range(count)]


@pytest.mark.parametrize("terms", instances(25, seed=1))
def test_finds_the_ising_ground_state_of_small_instances(terms: list[Term]) -> None:
    assert score(terms, solve(terms, spin=True)) == pytest.approx(ground_cost(terms, spin=True))


@pytest.mark.parametrize("terms", instances(25, seed=2))
def test_finds_the_pubo_ground_state_of_small_instances(terms: list[Term]) -> None:
    assert score(terms, solve(terms, spin=False)) == pytest.approx(ground_cost(terms, spin=False))


def test_finds_the_single_best_corner_of_a_plateau() -> None:
    # One cubic term: every state but all-ones costs the same, so nothing points the way.
    terms: list[Term] = [(-1.0, [0, 1, 3])]
    assert solve(terms, spin=False) == {0: 1, 1: 1, 3: 1}


def test_values_are_spins_for_ising_and_bits_for_pubo() -> None:
    terms: list[Term] = [(1.0, [0, 1]), (-0.5, [2])]
    assert set(solve(terms, spin=True).values()) <= {-1, 1}
    assert set(solve(terms, spin=False).values()) <= {0, 1}


def test_every_id_gets_a_value_even_when_its_repeats_cancel() -> None:
    terms: list[Term] = [(1.0, [4, 4]), (2.0, [7, 9])]
    assert set(solve(terms, spin=True)) == {4, 7, 9}


def test_repeated_spins_cancel_and_repeated_bits_do_not() -> None:
    # s0 * s0 * s1 = s1 is lowest at s1 = -1; x0 * x0 * x1 = x0 * x1 is lowest at 0 anyway,
    # and the -x1 term then wants x1 = 1 with x0 = 0.
    terms: list[Term] = [(2.0, [0, 0, 1]), (-1.0, [1])]
    assert solve(terms, spin=True)[1] == -1
    assert solve(terms, spin=False) == {0: 0, 1: 1}


def test_same_seed_gives_the_same_configuration() -> None:
    rng = random.Random(5)
    terms = [(rng.uniform(-1, 1), [rng.randrange(200), rng.randrange(200)]) for _ in range(800)]
    first = solve(terms, spin=True, sweeps=50, seed=42)
    assert solve(terms, spin=True, sweeps=50, seed=42) == first
    assert solve(terms, spin=True, sweeps=50, seed=43) != first


def test_reports_the_sweeps_it_completed() -> None:
    result = anneal([(1.0, [0, 1])], spin=True, sweeps=37, seed=0, time_limit=10, should_stop=never)
    assert result.sweeps == 37


def test_stops_at_the_first_look_after_a_stop_is_asked() -> None:
    calls = []

    def stop_on_third_look() -> bool:
        calls.append(1)
        return len(calls) >= 3

    terms: list[Term] = [(1.0, [k, k + 1]) for k in range(200)]
    result = anneal(
        terms, spin=True, sweeps=100_000, seed=0, time_limit=60, should_stop=stop_on_third_look
    )
    assert len(calls) == 3
    assert 0 < result.sweeps < 100_000
    assert set(result.values) == set(range(201))


def test_stops_at_the_time_limit() -> None:
    rng = random.Random(6)
    terms = [
        (rng.uniform(-1, 1), [rng.randrange(5000), rng.randrange(5000)]) for _ in range(20_000)
    ]
    started = time.monotonic()
    result = anneal(terms, spin=False, sweeps=100_000, seed=0, time_limit=0.3, should_stop=never)
    # All the sweeps would take hours; a loaded machine may spend the budget on setup alone.
    assert time.monotonic() - started < 30
    assert result.sweeps < 100_000
    assert len(result.values) == len({i for _, ids in terms for i in ids})


def test_only_constants_leave_nothing_to_anneal() -> None:
    result = anneal(
        [(3.0, []), (1.0, [2, 2])], spin=True, sweeps=10, seed=0, time_limit=1, should_stop=never
    )
    assert result.sweeps == 0
    assert cost([(3.0, []), (1.0, [2, 2])], result.values) == 4.0


def test_extreme_coefficients_still_anneal() -> None:
    terms: list[Term] = [(1e300, [0, 1]), (-1e-300, [1]), (5e-324, [2])]
    values = solve(terms, spin=True, sweeps=20)
    assert values[0] == -values[1]


@pytest.mark.parametrize("spin", [True, False])
def test_cost_agrees_with_an_independent_score(spin: bool) -> None:
    rng = random.Random(9)
    domain = (-1, 1) if spin else (0, 1)
    for terms in instances(20, seed=3):
        values = {i: rng.choice(domain) for _, ids in terms for i in ids}
        assert cost(terms, values) == pytest.approx(score(terms, values))


def test_more_reads_find_a_cost_at_least_as_low() -> None:
    rng = random.Random(11)
    terms = [(rng.choice((-1.0, 1.0)), [i, j]) for i in range(60) for j in range(i + 1, 60)]
    one = anneal(terms, spin=True, sweeps=20, seed=3, time_limit=60, should_stop=never, reads=1)
    many = anneal(terms, spin=True, sweeps=20, seed=3, time_limit=60, should_stop=never, reads=8)
    assert many.reads == 8
    assert cost(terms, many.values) <= cost(terms, one.values)


def test_later_reads_start_only_within_the_time_limit() -> None:
    terms: list[Term] = [(1.0, [k, k + 1]) for k in range(50)]
    result = anneal(terms, spin=True, sweeps=10, seed=0, time_limit=0, should_stop=never, reads=50)
    assert result.reads == 1


@pytest.mark.parametrize("spin", [True, False])
def test_quadratic_and_general_kernels_agree_on_the_ground_cost(spin: bool) -> None:
    # The same quadratic terms, once alone (quadratic kernel) and once with a cubic term of
    # coefficient small enough not to move the ground state (general kernel).
    rng = random.Random(4)
    pairs: list[Term] = [(float(rng.randint(-3, 3)), [i, (i * 3 + 1) % 12]) for i in range(12)]
    pairs += [(float(rng.randint(-2, 2)), [i]) for i in range(12)]
    with_cubic = [*pairs, (1e-6, [0, 1, 2])]
    expected = ground_cost(pairs, spin)
    assert score(pairs, solve(pairs, spin)) == pytest.approx(expected)
    assert score(pairs, solve(with_cubic, spin)) == pytest.approx(expected, abs=1e-5)
