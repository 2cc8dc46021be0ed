"""Simulated annealing for polynomial costs over spins (Ising, ±1) or bits (PUBO, 0/1).

The cost is sum(c * product of the term's variables), terms of any order. A job runs `reads`
independent anneals from random states and keeps the lowest-cost state any of them saw at the
end of a sweep. Every sweep visits the variables in ascending id order and tries to flip each
(Metropolis, a flip that changes nothing half the time: `annealing_kernels`). The inverse
temperature beta grows geometrically over a read's sweeps, from ln 2 / (the largest change
one flip can make) to ln(k / 0.01) / (the smallest change, k the variables that have it) --
the range dwave-samplers uses -- so a run needs no tuning for the scale of the terms.

The sweeps run compiled (numba) in slices of about `_SLICE_WORK` term visits (a few
milliseconds), between which `should_stop` and the clock are consulted: a stop takes effect within
a few milliseconds of `should_stop` reporting it. Each read draws its own seed from the job's
seed, so a job is reproducible whenever it is not cut short by the clock.
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType

import numpy as np

Term = tuple[float, Sequence[int]]  # (c, ids)

_SLICE_WORK = 2_000_000  # term-variable visits per compiled call (at most a few ms)
_FINAL_EXCITATION = 0.01  # chance that the last sweep excites any variable from a minimum
_MAX_LOG_BETA = 700.0  # exp(700) is about 1e304: already no uphill flip is ever taken


@dataclass(frozen=True)
class Annealed:
    values: dict[int, int]  # every id in the terms: ±1 for spins, 0/1 for bits
    sweeps: int  # sweeps the best read completed (fewer than asked when stopped early)
    reads: int = 1  # reads started (the last one may have been cut short)


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
    # Each variable's smallest flip change, approximated by its smallest term; the variables
    # with the smallest of these are the ones a cold state most easily leaves.
    per_variable = [min(abs(problem.coefs[t]) for t in held) for held in problem.holding if held]
    smallest = min(per_variable)
    easiest = sum(1 for c in per_variable if c == smallest)
    # In logarithms: for extreme coefficients the ratio of the two ends leaves the float range.
    hot = math.log(math.log(2)) - math.log(largest)
    cold = math.log(math.log(easiest / _FINAL_EXCITATION)) - math.log(scale * smallest)
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
    reads: int = 1,
) -> Annealed:
    """The lowest-cost values seen at the end of a sweep of any read (or when stopped).

    Deterministic for a seed, provided all the reads finish within `time_limit` seconds; the
    first read always starts, later ones only while time is left.
    """
    from . import annealing_kernels as kernels  # numba: imported where annealing runs only

    deadline = time.monotonic() + time_limit
    problem = _reduce(terms, spin)
    m = len(problem.ids)
    rng = random.Random(seed)
    if not problem.coefs:
        state = [rng.choice((-1, 1)) if spin else rng.getrandbits(1) for _ in range(m)]
        return Annealed(dict(zip(problem.ids, state, strict=True)), 0, 0)
    arrays = _Arrays.of(problem)
    betas = np.array(_betas(problem, spin, sweeps))
    per_slice = max(1, _SLICE_WORK // max(1, 2 * len(arrays.term_vars) + m))
    best_energy, best_state, best_sweeps, started = math.inf, None, 0, 0
    stopped = False
    while started < reads and not stopped and (started == 0 or time.monotonic() < deadline):
        started += 1
        read = _Read.start(arrays, spin, rng, kernels)
        done = 0
        while done < sweeps:
            if should_stop() or time.monotonic() >= deadline:
                stopped = True
                break
            read.sweep(betas[done : done + per_slice])
            done = min(sweeps, done + per_slice)
        if read.best_energy < best_energy:
            best_energy, best_state, best_sweeps = read.best_energy, read.best, done
    state = best_state if best_state is not None else read.state
    values = dict(zip(problem.ids, (int(v) for v in state), strict=True))
    return Annealed(values, best_sweeps, started)


def warm_up() -> None:
    """Load every compiled kernel (compile it, the first time on a machine: ~4 s), so that
    no job's time limit is spent on it."""
    for terms in ([(1.0, [0, 1])], [(1.0, [0, 1, 2])]):
        for spin in (True, False):
            anneal(terms, spin=spin, sweeps=1, seed=0, time_limit=60, should_stop=lambda: False)


@dataclass(frozen=True)
class _Arrays:
    """A problem as the compiled kernels take it: CSR lists of terms' and variables', and for
    a problem of at most quadratic terms each variable's linear coefficient and neighbours."""

    coefs: np.ndarray
    term_start: np.ndarray
    term_vars: np.ndarray
    var_start: np.ndarray
    var_terms: np.ndarray
    quadratic: bool
    linear: np.ndarray
    nbr_start: np.ndarray
    nbr: np.ndarray
    weights: np.ndarray

    @classmethod
    def of(cls, problem: _Problem) -> _Arrays:
        m = len(problem.ids)
        sizes = [len(v) for v in problem.variables]
        holding = [len(h) for h in problem.holding]
        quadratic = max(sizes) <= 2
        linear = np.zeros(m)
        neighbours: list[list[tuple[int, float]]] = [[] for _ in range(m)]
        if quadratic:
            for c, v in zip(problem.coefs, problem.variables, strict=True):
                if len(v) == 1:
                    linear[v[0]] += c
                else:
                    neighbours[v[0]].append((v[1], c))
                    neighbours[v[1]].append((v[0], c))
        degrees = [len(n) for n in neighbours]
        return cls(
            np.array(problem.coefs, dtype=np.float64),
            _starts(sizes),
            np.fromiter((k for v in problem.variables for k in v), np.int64, sum(sizes)),
            _starts(holding),
            np.fromiter((t for h in problem.holding for t in h), np.int64, sum(holding)),
            quadratic,
            linear,
            _starts(degrees),
            np.fromiter((j for n in neighbours for j, _ in n), np.int64, sum(degrees)),
            np.fromiter((w for n in neighbours for _, w in n), np.float64, sum(degrees)),
        )


def _starts(sizes: list[int]) -> np.ndarray:
    return np.concatenate(([0], np.cumsum(sizes, dtype=np.int64))).astype(np.int64)


@dataclass
class _Read:
    """One anneal in progress: its state, the kernels' bookkeeping, the best seen so far."""

    arrays: _Arrays
    spin: bool
    state: np.ndarray
    aux: np.ndarray  # spins: each term's c * product; bits: each term's count of zeros
    delta: np.ndarray  # each variable's flip change, or its local field when quadratic
    energy: float
    best_energy: float
    best: np.ndarray
    rng: np.ndarray  # the kernels' xorshift128+ state
    kernels: ModuleType

    @classmethod
    def start(cls, arrays: _Arrays, spin: bool, seeds: random.Random, kernels: ModuleType) -> _Read:
        a = arrays
        m = len(a.var_start) - 1
        delta = np.zeros(m)
        draw = np.random.default_rng(seeds.getrandbits(64))
        bits = draw.integers(0, 2, m).astype(np.float64)
        if spin:
            state = 2.0 * bits - 1.0
            aux = np.zeros(len(a.coefs))
        else:
            state = bits
            aux = np.zeros(len(a.coefs), dtype=np.int64)
        generator = np.array([seeds.getrandbits(64) | 1, seeds.getrandbits(64) | 1], np.uint64)
        if a.quadratic:
            energy = kernels.quadratic_start(
                state, spin, a.linear, a.nbr_start, a.nbr, a.weights, delta
            )
        else:
            start = kernels.spin_start if spin else kernels.bit_start
            energy = start(
                state, a.coefs, a.term_start, a.term_vars, a.var_start, a.var_terms, aux, delta
            )
        return cls(
            arrays, spin, state, aux, delta, energy, math.inf, state.copy(), generator, kernels
        )

    def sweep(self, betas: np.ndarray) -> None:
        a, k = self.arrays, self.kernels
        if a.quadratic:
            self.energy, self.best_energy = k.quadratic_sweeps(
                betas, self.state, self.spin, a.nbr_start, a.nbr, a.weights, self.delta,
                self.energy, self.best_energy, self.best, self.rng,
            )  # fmt: skip
        elif self.spin:
            self.energy, self.best_energy = k.spin_sweeps(
                betas, self.state, a.term_start, a.term_vars, a.var_start, a.var_terms,
                self.aux, self.delta, self.energy, self.best_energy, self.best, self.rng,
            )  # fmt: skip
        else:
            self.energy, self.best_energy = k.bit_sweeps(
                betas, self.state, a.coefs, a.term_start, a.term_vars, a.var_start,
                a.var_terms, self.aux, self.delta, self.energy, self.best_energy, self.best,
                self.rng,
            )  # fmt: skip
