"""Two-way number partitioning: Karmarkar–Karp, then Korf's complete Karmarkar–Karp (CKK).

CKK searches the binary tree in which every node replaces the two largest numbers a >= b by
either a - b (they go to opposite sides) or a + b (same side), depth-first and differencing
first, so its first leaf is the Karmarkar–Karp answer and every later leaf can only improve
on it. A node is a leaf once its largest number is at least the sum of the others: the best
that node allows is that largest number against all the rest. The search is anytime: it stops
at the lower bound (then the answer is proven optimal), when the tree is exhausted (also
optimal), or at the time limit / a stop request (best answer so far).

The search is iterative (no recursion limit at 10,000 numbers) and keeps one sorted list that
every step changes and every backtrack restores, so a step costs one bisect and one memmove.
"""

from __future__ import annotations

import time
from bisect import bisect_left, insort
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

_CHECK_EVERY = 1024  # search steps between two looks at the clock and at should_stop
_DIFFERENCE, _SUM, _DONE = 0, 1, 2  # the next branch to take at a node


class _Merge(NamedTuple):
    a: tuple[int, int]  # (value, id) of the larger number replaced
    b: tuple[int, int]
    made: tuple[int, int]  # what replaced them: a - b, or a + b when `same`
    same: bool  # a and b on the same side


@dataclass(frozen=True)
class Partition:
    signs: list[int]  # +1 or -1 for every number; the +1 side's sum is the larger or equal
    difference: int
    optimal: bool


def lower_bound(weights: Sequence[int]) -> int:
    """No partition does better: the sum's parity, or the largest against all the others."""
    total = sum(weights)
    return max(total % 2, 2 * max(weights) - total)


def partition(
    weights: Sequence[int], *, time_limit: float, should_stop: Callable[[], bool]
) -> Partition:
    """The best two-way partition CKK finds within `time_limit` seconds.

    The Karmarkar–Karp answer (the first leaf) is always reached, even past the time limit or
    a stop request; both are honoured from then on.
    """
    deadline = time.monotonic() + time_limit
    n = len(weights)
    bound = lower_bound(weights)
    # The numbers of the current node as (value, id), ascending: ids below n are the weights,
    # id n + d is the number the merge at depth d made.
    numbers = sorted((w, i) for i, w in enumerate(weights))
    merges: list[_Merge] = []
    total = sum(weights)
    branches = [_DIFFERENCE]
    best: tuple[int, list[int]] | None = None
    steps = 0

    while branches:
        steps += 1
        if (
            steps % _CHECK_EVERY == 0
            and best is not None
            and (should_stop() or time.monotonic() >= deadline)
        ):
            break
        branch = branches[-1]
        if branch == _DIFFERENCE:
            largest = numbers[-1][0]
            rest = total - largest
            if largest >= rest:  # a leaf, also when only one number is left
                if best is None or largest - rest < best[0]:
                    best = (largest - rest, _signs(n, numbers, merges))
                    if best[0] == bound:
                        break
                branch = _DONE
        if branch == _DONE:
            branches.pop()
            if merges:
                total = _unmerge(numbers, merges.pop(), total)
            continue
        branches[-1] = branch + 1
        a = numbers.pop()
        b = numbers.pop()
        same = branch == _SUM
        made = (a[0] + b[0] if same else a[0] - b[0], n + len(merges))
        insort(numbers, made)
        merges.append(_Merge(a, b, made, same))
        if not same:
            total -= 2 * b[0]
        branches.append(_DIFFERENCE)

    assert best is not None  # the first descent always ends in a leaf
    difference, signs = best
    return Partition(signs, difference, optimal=difference == bound or not branches)


def _unmerge(numbers: list[tuple[int, int]], merge: _Merge, total: int) -> int:
    """Put back the two numbers `merge` replaced; returns the restored total."""
    del numbers[bisect_left(numbers, merge.made)]
    numbers.append(merge.b)
    numbers.append(merge.a)
    return total if merge.same else total + 2 * merge.b[0]


def _signs(n: int, leaf: list[tuple[int, int]], merges: list[_Merge]) -> list[int]:
    """The side of every weight at a leaf: its largest number against all the others."""
    signs = [-1] * (n + len(merges))
    signs[leaf[-1][1]] = 1
    for merge in reversed(merges):
        side = signs[merge.made[1]]
        signs[merge.a[1]] = side
        signs[merge.b[1]] = side if merge.same else -side
    return signs[:n]
