"""The compiled inner loops of simulated annealing (numba), for spins and for bits.

A problem is given as two CSR incidence lists: each term's variables (`term_start`,
`term_vars`) and each variable's terms (`var_start`, `var_terms`). Every variable keeps the
cost change its flip would make (`delta`), so trying a flip costs O(1) and only an accepted
flip pays for the terms it touches -- as dwave-samplers does for quadratic models, extended
here to terms of any order.

Acceptance is Metropolis (downhill always, uphill with probability exp(-beta * change)). A
flip that changes nothing is always taken by the quadratic kernel, as dwave-samplers does (on
the 2D ±J torus this finds lower energies at equal time than taking it half the time), and
with probability 1/2 by the general kernels: there a sequential sweep could otherwise cycle
through the same states on a plateau (a lone cubic term makes one).

numba compiles these on first use and caches the machine code (`cache=True`) in
NUMBA_CACHE_DIR, which this module points at a folder under the temporary directory unless it
is set: numba's default (next to this file) is read-only in a zip or package deployment, and
its fallback (the user's home) may be too. A worker process loads the cached code in ~0.3 s
instead of compiling it for ~4 s (once per machine).
"""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("NUMBA_CACHE_DIR", os.path.join(tempfile.gettempdir(), "qjobs-numba"))

import numba  # noqa: E402 - NUMBA_CACHE_DIR must be set before numba reads its configuration
import numpy as np  # noqa: E402

_UPHILL_CUTOFF = 40.0  # exp(-40) ~ 4e-18: an uphill flip this steep is never taken


@numba.njit(cache=True)
def _uniform(rng):
    """A float in [0, 1) from xorshift128+ (the generator dwave-samplers uses); `rng` is its
    state, two nonzero uint64 words, advanced in place."""
    s1 = rng[0]
    s0 = rng[1]
    rng[0] = s0
    s1 ^= s1 << np.uint64(23)
    s1 ^= s1 >> np.uint64(17)
    s1 ^= s0
    s1 ^= s0 >> np.uint64(26)
    rng[1] = s1
    return ((s1 + s0) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@numba.njit(cache=True)
def _accept(change, beta, rng):
    if change < 0.0:
        return True
    if change == 0.0:
        return _uniform(rng) < 0.5
    x = beta * change
    return x < _UPHILL_CUTOFF and _uniform(rng) < np.exp(-x)


@numba.njit(cache=True)
def spin_start(spins, coefs, term_start, term_vars, var_start, var_terms, contrib, delta):
    """Fill each term's contribution (c * product) and each spin's flip change; the cost."""
    energy = 0.0
    for t in range(coefs.shape[0]):
        product = 1.0
        for p in range(term_start[t], term_start[t + 1]):
            product *= spins[term_vars[p]]
        contrib[t] = coefs[t] * product
        energy += contrib[t]
    for k in range(spins.shape[0]):
        total = 0.0
        for p in range(var_start[k], var_start[k + 1]):
            total += contrib[var_terms[p]]
        delta[k] = -2.0 * total
    return energy


@numba.njit(cache=True)
def spin_sweeps(
    betas,
    spins,
    term_start,
    term_vars,
    var_start,
    var_terms,
    contrib,
    delta,
    energy,
    best_energy,
    best,
    rng,
):
    """One sweep per beta over all spins; keeps in `best` the lowest state seen at the end of
    a sweep. Returns (energy, best energy) for the caller to pass to the next call."""
    for beta in betas:
        for k in range(spins.shape[0]):
            change = delta[k]
            if _accept(change, beta, rng):
                for p in range(var_start[k], var_start[k + 1]):
                    t = var_terms[p]
                    old = contrib[t]
                    for q in range(term_start[t], term_start[t + 1]):
                        j = term_vars[q]
                        if j != k:
                            delta[j] += 4.0 * old
                    contrib[t] = -old
                delta[k] = -change
                spins[k] = -spins[k]
                energy += change
        if energy < best_energy:
            best_energy = energy
            best[:] = spins
    return energy, best_energy


@numba.njit(cache=True)
def _bit_share(coef, zeros, bit):
    """Term's share of a variable's flip change: switching off an on term, or on the term
    this bit alone holds off."""
    if bit:
        return -coef if zeros == 0 else 0.0
    return coef if zeros == 1 else 0.0


@numba.njit(cache=True)
def bit_start(bits, coefs, term_start, term_vars, var_start, var_terms, zeros, delta):
    """Fill each term's count of zero bits and each bit's flip change; the cost."""
    energy = 0.0
    for t in range(coefs.shape[0]):
        count = 0
        for p in range(term_start[t], term_start[t + 1]):
            count += 1 - int(bits[term_vars[p]])
        zeros[t] = count
        if count == 0:
            energy += coefs[t]
    for k in range(bits.shape[0]):
        total = 0.0
        for p in range(var_start[k], var_start[k + 1]):
            t = var_terms[p]
            total += _bit_share(coefs[t], zeros[t], bits[k])
        delta[k] = total
    return energy


@numba.njit(cache=True)
def bit_sweeps(
    betas,
    bits,
    coefs,
    term_start,
    term_vars,
    var_start,
    var_terms,
    zeros,
    delta,
    energy,
    best_energy,
    best,
    rng,
):
    """As spin_sweeps, for bits: each term's zero count decides its part of the changes."""
    for beta in betas:
        for k in range(bits.shape[0]):
            change = delta[k]
            if _accept(change, beta, rng):
                for p in range(var_start[k], var_start[k + 1]):
                    t = var_terms[p]
                    for q in range(term_start[t], term_start[t + 1]):
                        j = term_vars[q]
                        delta[j] -= _bit_share(coefs[t], zeros[t], bits[j])
                step = 1 if bits[k] else -1
                bits[k] = 1 - bits[k]
                for p in range(var_start[k], var_start[k + 1]):
                    t = var_terms[p]
                    zeros[t] += step
                    for q in range(term_start[t], term_start[t + 1]):
                        j = term_vars[q]
                        delta[j] += _bit_share(coefs[t], zeros[t], bits[j])
                energy += change
        if energy < best_energy:
            best_energy = energy
            best[:] = bits
    return energy, best_energy


@numba.njit(cache=True)
def quadratic_start(values, spin, linear, nbr_start, nbr, weights, field):
    """Fill each variable's local field (linear + sum of weight * neighbour); the cost."""
    energy = 0.0
    for k in range(values.shape[0]):
        total = linear[k]
        for p in range(nbr_start[k], nbr_start[k + 1]):
            total += weights[p] * values[nbr[p]]
        field[k] = total
        energy += values[k] * (linear[k] + 0.5 * (total - linear[k]))
    return energy


@numba.njit(cache=True)
def quadratic_sweeps(
    betas, values, spin, nbr_start, nbr, weights, field, energy, best_energy, best, rng
):
    """As spin_sweeps, for terms of at most two variables (the common case): a flip's change
    is its step times the local field, and a taken flip moves its neighbours' fields only.
    A flip that changes nothing is always taken."""
    for beta in betas:
        steep = _UPHILL_CUTOFF / beta  # changes from here up are never taken at this beta
        for k in range(values.shape[0]):
            step = -2.0 * values[k] if spin else 1.0 - 2.0 * values[k]
            change = step * field[k]
            if change >= steep:
                continue
            if change > 0.0 and _uniform(rng) >= np.exp(-beta * change):
                continue
            for p in range(nbr_start[k], nbr_start[k + 1]):
                field[nbr[p]] += weights[p] * step
            values[k] += step
            energy += change
        if energy < best_energy:
            best_energy = energy
            best[:] = values
    return energy, best_energy
