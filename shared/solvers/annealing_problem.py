"""A polynomial cost in the QIO term format, reduced and laid out as the annealing kernels take it.

Ids become variable indices 0..m-1 (ascending id order); repeats within a term are reduced
(s * s = 1 for spins, x * x = x for bits), equal terms merged, constants and zero terms
dropped. The result holds CSR incidence lists (each term's variables, each variable's terms)
and, when no term has more than two variables, each variable's linear coefficient and
weighted neighbours for the quadratic kernel. Built with numpy: a job's setup stays a small
part of its time (SK n = 100, 4,950 terms: a few ms).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np

Term = tuple[float, Sequence[int]]  # (c, ids)

_FINAL_EXCITATION = 0.01  # chance that the last sweep excites any variable from a minimum
_MAX_LOG_BETA = 700.0  # exp(700) is about 1e304: already no uphill flip is ever taken


@dataclass(frozen=True)
class Problem:
    ids: list[int]  # variable index -> id
    coefs: np.ndarray  # term -> coefficient
    term_start: np.ndarray  # term t's variables are term_vars[term_start[t]:term_start[t+1]]
    term_vars: np.ndarray
    var_start: np.ndarray  # variable k's terms are var_terms[var_start[k]:var_start[k+1]]
    var_terms: np.ndarray
    quadratic: bool  # no term has more than two variables: the next four are filled
    linear: np.ndarray  # variable -> coefficient of its one-variable term
    nbr_start: np.ndarray  # variable k's neighbours are nbr[nbr_start[k]:nbr_start[k+1]] ...
    nbr: np.ndarray
    weights: np.ndarray  # ... with these coefficients

    @property
    def size(self) -> int:
        return len(self.ids)


def reduce(terms: Sequence[Term], spin: bool) -> Problem:
    """The terms over variable indices, ready for the kernels."""
    ids = sorted({i for _, term_ids in terms for i in term_ids})
    index = {i: k for k, i in enumerate(ids)}
    merged: dict[tuple[int, ...], float] = {}
    for c, term_ids in terms:
        key = _key(term_ids, index, spin)
        if key:  # constants do not change what is best
            merged[key] = merged.get(key, 0.0) + c
    keys = [key for key, c in merged.items() if c != 0.0]
    coefs = np.fromiter((merged[key] for key in keys), np.float64, len(keys))
    sizes = np.fromiter(map(len, keys), np.int64, len(keys))
    term_vars = np.fromiter(chain.from_iterable(keys), np.int64, int(sizes.sum()))
    holders = np.repeat(np.arange(len(keys), dtype=np.int64), sizes)
    order = np.argsort(term_vars, kind="stable")
    m = len(ids)
    quadratic = len(keys) == 0 or int(sizes.max()) <= 2
    linear, nbr_start, nbr, weights = _neighbours(m, coefs, sizes, term_vars, quadratic)
    return Problem(
        ids,
        coefs,
        _starts(sizes),
        term_vars,
        _starts(np.bincount(term_vars, minlength=m)),
        holders[order],
        quadratic,
        linear,
        nbr_start,
        nbr,
        weights,
    )


def _key(term_ids: Sequence[int], index: dict[int, int], spin: bool) -> tuple[int, ...]:
    if len(term_ids) == 2:  # the common case, without Counter
        a, b = index[term_ids[0]], index[term_ids[1]]
        if a == b:
            return () if spin else (a,)
        return (a, b) if a < b else (b, a)
    if spin:  # s * s = 1: a variable repeated an even number of times drops out
        kept = [i for i, times in Counter(term_ids).items() if times % 2]
    else:  # x * x = x
        kept = list(set(term_ids))
    return tuple(sorted(index[i] for i in kept))


def _starts(counts: np.ndarray) -> np.ndarray:
    return np.concatenate(([0], np.cumsum(counts, dtype=np.int64))).astype(np.int64)


def _neighbours(
    m: int, coefs: np.ndarray, sizes: np.ndarray, term_vars: np.ndarray, quadratic: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each variable's linear coefficient and its neighbours with their weights (both
    directions of every pair), for a quadratic problem; empty arrays otherwise."""
    if not quadratic:
        empty = np.zeros(0, dtype=np.int64)
        return np.zeros(m), np.zeros(m + 1, dtype=np.int64), empty, np.zeros(0)
    starts = _starts(sizes)[:-1]
    single = sizes == 1
    linear = np.bincount(term_vars[starts[single]], weights=coefs[single], minlength=m)
    pair = sizes == 2
    first, second = term_vars[starts[pair]], term_vars[starts[pair] + 1]
    source = np.concatenate((first, second))
    order = np.argsort(source, kind="stable")
    nbr = np.concatenate((second, first))[order]
    weights = np.concatenate((coefs[pair], coefs[pair]))[order]
    return linear, _starts(np.bincount(source, minlength=m)), nbr, weights


def betas(problem: Problem, spin: bool, sweeps: int) -> np.ndarray:
    """The geometric schedule from ln 2 / (the largest change one flip can make) to
    ln(k / 0.01) / (the smallest change, k the variables that have it), as dwave-samplers."""
    scale = 2.0 if spin else 1.0  # a spin flip changes a term by 2c, a bit flip by c
    magnitude = np.abs(problem.coefs)[problem.var_terms]
    holder = np.repeat(np.arange(problem.size), np.diff(problem.var_start))
    largest = scale * float(np.bincount(holder, weights=magnitude, minlength=problem.size).max())
    # Each variable's smallest flip change, approximated by its smallest term; the variables
    # with the smallest of these are the ones a cold state most easily leaves.
    per_variable = np.full(problem.size, np.inf)
    np.minimum.at(per_variable, holder, magnitude)
    per_variable = per_variable[np.isfinite(per_variable)]
    smallest = float(per_variable.min())
    easiest = int(np.count_nonzero(per_variable == smallest))
    # In logarithms: for extreme coefficients the ratio of the two ends leaves the float range.
    hot = math.log(math.log(2)) - math.log(largest)
    cold = math.log(math.log(easiest / _FINAL_EXCITATION)) - math.log(scale * smallest)
    if sweeps == 1:
        return np.array([math.exp(min(cold, _MAX_LOG_BETA))])
    logs = np.minimum(np.linspace(hot, cold, sweeps), _MAX_LOG_BETA)
    return np.exp(logs)
