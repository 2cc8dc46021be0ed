"""Simulated annealing for polynomial costs over spins (Ising, ±1) or bits (PUBO, 0/1).

The cost is sum(c * product of the term's variables). Every sweep visits the variables in
ascending id order and flips each with the heat-bath rule, with probability
1 / (1 + exp(beta * change)): unlike Metropolis it takes a flip that changes nothing only
half the time, so a sweep cannot cycle through the same states on a plateau (a lone cubic
term makes one). A flip's cost change comes from the terms that hold the variable only.
The inverse temperature beta grows geometrically over the sweeps, from ln 2 / (the largest
change one flip can make) to ln 100 / (the smallest nonzero change) -- the range dwave-neal
uses -- so a run needs no tuning for the scale of the terms.
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

Term = tuple[float, Sequence[int]]  # (c, ids)

_CHUNK = 1024  # flips between two looks at the clock and at should_stop
_MAX_LOG_BETA = 700.0  # exp(700) is about 1e304: already no uphill flip is ever taken
_SURE = 36.0  # beyond |beta * change| = 36 a flip's probability is within 2e-16 of 0 or 1


@dataclass(frozen=True)
class Annealed:
    values: dict[int, int]  # every id in the terms: ±1 for spins, 0/1 for bits
    sweeps: int  # sweeps completed (fewer than asked when stopped early)


def cost(terms: Sequence[Term], values: dict[int, int]) -> float:
    """sum(c * product of the values of ids) over the terms, as given (repeats included)."""
    return sum(c * math.prod(values[i] for i in ids) for c, ids in terms)


@dataclass
class _Problem:
    """The terms over variable indices 0..m-1, repeats reduced and equal terms merged."""

    ids: list[int]  # variable index -> id
    coefs: list[float]
    variables: list[tuple[int, ...]]  # term -> its variable indices
    holding: list[list[int]]  # variable index -> the terms that hold it


def _reduce(terms: Sequence[Term], spin: bool) -> _Problem:
    ids = sorted({i for _, term_ids in terms for i in term_ids})
    index = {i: k for k, i in enumerate(ids)}
    merged: dict[tuple[int, ...], float] = {}
    for c, term_ids in terms:
        if spin:  # s * s = 1: a variable repeated an even number of times drops out
            kept = [i for i, times in Counter(term_ids).items() if times % 2]
        else:  # x * x = x
            kept = list(set(term_ids))
        key = tuple(sorted(index[i] for i in kept))
        if key:  # constants do not change what is best
            merged[key] = merged.get(key, 0.0) + c
    problem = _Problem(ids, [], [], [[] for _ in ids])
    for key, c in merged.items():
        if c != 0.0:
            for k in key:
                problem.holding[k].append(len(problem.coefs))
            problem.coefs.append(c)
            problem.variables.append(key)
    return problem


def _betas(problem: _Problem, spin: bool, sweeps: int) -> list[float]:
    scale = 2.0 if spin else 1.0  # a spin flip changes a term by 2c, a bit flip by c
    largest = scale * max(sum(abs(problem.coefs[t]) for t in held) for held in problem.holding)
    smallest = scale * min(abs(c) for c in problem.coefs)
    # In logarithms: for extreme coefficients the ratio of the two ends leaves the float range.
    hot = math.log(math.log(2)) - math.log(largest)
    cold = math.log(math.log(100)) - math.log(smallest)
    if sweeps == 1:
        return [math.exp(min(cold, _MAX_LOG_BETA))]
    step = (cold - hot) / (sweeps - 1)
    return [math.exp(min(hot + step * k, _MAX_LOG_BETA)) for k in range(sweeps)]


def anneal(
    terms: Sequence[Term],
    *,
    spin: bool,
    sweeps: int,
    seed: int,
    time_limit: float,
    should_stop: Callable[[], bool],
) -> Annealed:
    """The lowest-cost values seen at the end of a sweep (or when stopped), by annealing.

    Deterministic for a seed, provided all the sweeps finish within `time_limit` seconds.
    """
    deadline = time.monotonic() + time_limit
    problem = _reduce(terms, spin)
    rng = random.Random(seed)
    m = len(problem.ids)
    if spin:
        state = [rng.choice((-1, 1)) for _ in range(m)]
        # Each term's current contribution c * product: a flip negates those holding it.
        aux = [
            c * math.prod(state[k] for k in v)
            for c, v in zip(problem.coefs, problem.variables, strict=True)
        ]
        energy = sum(aux)
    else:
        state = [rng.getrandbits(1) for _ in range(m)]
        aux = [sum(1 - state[k] for k in v) for v in problem.variables]  # zeros in each term
        energy = sum(c for c, zeros in zip(problem.coefs, aux, strict=True) if zeros == 0)
    best, best_state = energy, state[:]
    done = 0
    if problem.coefs:
        sweep = _spin_flips if spin else _bit_flips
        stopped = False
        for beta in _betas(problem, spin, sweeps):
            for start in range(0, m, _CHUNK):
                if should_stop() or time.monotonic() >= deadline:
                    stopped = True
                    break
                energy += sweep(problem, state, aux, beta, rng, start, min(start + _CHUNK, m))
            if energy < best:
                best, best_state = energy, state[:]
            if stopped:
                break
            done += 1
    values = dict(zip(problem.ids, best_state, strict=True))
    return Annealed(values, done)


def _spin_flips(
    problem: _Problem,
    spins: list[int],
    contributions: list[float],
    beta: float,
    rng: random.Random,
    start: int,
    end: int,
) -> float:
    """Heat-bath flips of spins start..end-1; returns the change of cost."""
    change = 0.0
    uniform = rng.random
    holding = problem.holding
    for k in range(start, end):
        held = holding[k]
        delta = -2.0 * sum([contributions[t] for t in held])
        x = beta * delta
        if x <= -_SURE or (x < _SURE and uniform() * (1.0 + math.exp(x)) < 1.0):
            spins[k] = -spins[k]
            for t in held:
                contributions[t] = -contributions[t]
            change += delta
    return change


def _bit_flips(
    problem: _Problem,
    bits: list[int],
    zeros: list[int],
    beta: float,
    rng: random.Random,
    start: int,
    end: int,
) -> float:
    """Heat-bath flips of bits start..end-1; returns the change of cost."""
    change = 0.0
    uniform = rng.random
    holding = problem.holding
    coefs = problem.coefs
    for k in range(start, end):
        held = holding[k]
        if bits[k]:  # 1 -> 0 switches off the terms that are on
            delta = -sum([coefs[t] for t in held if zeros[t] == 0])
        else:  # 0 -> 1 switches on the terms this bit alone holds off
            delta = sum([coefs[t] for t in held if zeros[t] == 1])
        x = beta * delta
        if x <= -_SURE or (x < _SURE and uniform() * (1.0 + math.exp(x)) < 1.0):
            step = 1 if bits[k] else -1
            bits[k] ^= 1
            for t in held:
                zeros[t] += step
            change += delta
    return change
