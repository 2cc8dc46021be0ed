"""Two-way number partitioning solved exactly by meeting in the middle (Horowitz–Sahni).

The weights are split in two halves; every subset sum of each half is listed (2^(n/2) each,
numpy int64: n = 40 gives two lists of 2^20), one list is sorted, and for every sum of the
other half a binary search finds the partner that brings the subset closest to half the total.
Time and memory grow as 2^(n/2), so this is for n <= MAX_WEIGHTS: about 0.3 s at n = 40, where
CKK may need far longer to prove an answer optimal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .partition import Partition

MAX_WEIGHTS = 40
_BLOCK = 1 << 16  # sums of the first half searched between two looks at should_stop


def subset_sums(weights: Sequence[int]) -> np.ndarray:
    """The sum of every subset: entry `mask` sums the weights whose bit is set in mask."""
    sums = np.zeros(1, dtype=np.int64)
    for w in weights:
        sums = np.concatenate((sums, sums + w))
    return sums


def exact_partition(weights: Sequence[int], should_stop: Callable[[], bool]) -> Partition | None:
    """The optimal partition (`optimal` True), or None when a stop came first.

    The weights' sum must fit int64 (n <= 40 weights of at most 2**53 do).
    """
    n = len(weights)
    if n > MAX_WEIGHTS:
        raise ValueError(f"exact partitioning takes at most {MAX_WEIGHTS} weights, not {n}")
    half = n // 2
    total = sum(weights)
    first = subset_sums(weights[:half])
    second = subset_sums(weights[half:])
    order = np.argsort(second)
    ordered = second[order]
    # Searching in descending order of a (ascending targets) keeps the search cache-friendly.
    queries = np.argsort(first)[::-1]
    best_difference, best_masks = None, (0, 0)
    for start in range(0, len(first), _BLOCK):
        if should_stop():
            return None
        masks = queries[start : start + _BLOCK]
        a = first[masks]
        rest = total - 2 * a  # what 2 * b should be, for a subset sum a + b of exactly total/2
        at = np.searchsorted(ordered, (rest + 1) // 2)  # the first b >= rest / 2 ...
        for candidate in (np.minimum(at, len(ordered) - 1), np.maximum(at - 1, 0)):  # ... or before
            differences = np.abs(rest - 2 * ordered[candidate])
            k = int(np.argmin(differences))
            if best_difference is None or differences[k] < best_difference:
                best_difference = int(differences[k])
                best_masks = (int(masks[k]), int(order[candidate[k]]))
    assert best_difference is not None
    chosen = [(best_masks[0] >> i) & 1 for i in range(half)]
    chosen += [(best_masks[1] >> i) & 1 for i in range(n - half)]
    inside = sum(w for w, c in zip(weights, chosen, strict=True) if c)
    plus = 1 if 2 * inside >= total else 0  # the +1 side has the larger (or equal) sum
    signs = [1 if c == plus else -1 for c in chosen]
    return Partition(signs, best_difference, optimal=True)
