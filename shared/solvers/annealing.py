"""Simulated annealing for polynomial costs over spins (Ising, ±1) or bits (PUBO, 0/1).

The cost is sum(c * product of the term's variables), terms of any order. A job runs `reads`
anneals and keeps the lowest-cost state any of them saw at the end of a sweep: odd reads
start from a random state and run the whole schedule, even reads re-anneal the best state so
far from the middle of the schedule (half the sweeps, reheated to a temperature where it can
still leave its valley) -- at equal time this finds lower costs than independent reads alone
on sparse instances (`benchmarks/solvers_bench.py`). Every sweep visits the variables in
ascending id order and tries to flip each (Metropolis, a flip that changes nothing half the
time: `annealing_kernels`). The inverse temperature beta grows geometrically over a read's
sweeps over the range dwave-samplers uses (`annealing_problem.betas`), so a run needs no
tuning for the scale of the terms.

The sweeps run compiled (numba) in slices of about `_SLICE_WORK` term visits (a few
milliseconds), between which `should_stop` and the clock are consulted: a stop takes effect within
a few milliseconds of `should_stop` reporting it. Each read draws its own seed from the job's
seed, so a job is reproducible whenever it is not cut short by the clock.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType

import numpy as np

from .annealing_problem import Problem, Term, betas, reduce

__all__ = ["Annealed", "Term", "anneal", "cost", "warm_up"]

_REHEAT_FROM = 0.5  # a re-anneal runs the second half of the schedule
_SLICE_WORK = 2_000_000  # term-variable visits per compiled call (at most a few ms)


@dataclass(frozen=True)
class Annealed:
    values: dict[int, int]  # every id in the terms: ±1 for spins, 0/1 for bits
    sweeps: int  # sweeps the best read completed (fewer than asked when stopped early)
    reads: int = 1  # reads started (the last one may have been cut short)


def cost(terms: Sequence[Term], values: dict[int, int]) -> float:
    """sum(c * product of the values of ids) over the terms, as given (repeats included)."""
    return sum(c * math.prod(values[i] for i in ids) for c, ids in terms)


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
    problem = reduce(terms, spin)
    m = problem.size
    rng = random.Random(seed)
    if not len(problem.coefs):
        state = [rng.choice((-1, 1)) if spin else rng.getrandbits(1) for _ in range(m)]
        return Annealed(dict(zip(problem.ids, state, strict=True)), 0, 0)
    schedule = betas(problem, spin, sweeps)
    per_slice = max(1, _SLICE_WORK // max(1, 2 * len(problem.term_vars) + m))
    best_energy, best_state, best_sweeps, started = math.inf, None, 0, 0
    stopped = False
    while started < reads and not stopped and (started == 0 or time.monotonic() < deadline):
        started += 1
        reheat = started % 2 == 0 and best_state is not None and sweeps > 1
        done = int(sweeps * _REHEAT_FROM) if reheat else 0
        read = _Read.start(problem, spin, rng, kernels, best_state if reheat else None)
        while done < sweeps:
            if should_stop() or time.monotonic() >= deadline:
                stopped = True
                break
            read.sweep(schedule[done : done + per_slice])
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


@dataclass
class _Read:
    """One anneal in progress: its state, the kernels' bookkeeping, the best seen so far."""

    problem: Problem
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
    def start(
        cls,
        problem: Problem,
        spin: bool,
        seeds: random.Random,
        kernels: ModuleType,
        state: np.ndarray | None = None,
    ) -> _Read:
        """A read from `state` (copied), or from a random state."""
        a = problem
        m = a.size
        delta = np.zeros(m)
        draw = np.random.default_rng(seeds.getrandbits(64))
        if state is not None:
            state = state.copy()
        else:
            bits = draw.integers(0, 2, m).astype(np.float64)
            state = 2.0 * bits - 1.0 if spin else bits
        aux = np.zeros(len(a.coefs)) if spin else np.zeros(len(a.coefs), dtype=np.int64)
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
            problem, spin, state, aux, delta, energy, math.inf, state.copy(), generator, kernels
        )

    def sweep(self, betas: np.ndarray) -> None:
        a, k = self.problem, self.kernels
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
