"""Jobs waiting for a local worker, shared fairly between clients.

The next job goes to the client with the fewest jobs running, and among those to the one served
longest ago; a client's own jobs run in the order they came. So a client with hundreds of
queued jobs never starves another with one.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict, deque
from collections.abc import Mapping
from typing import Generic, TypeVar

Item = TypeVar("Item")


class FairQueue(Generic[Item]):
    def __init__(self) -> None:
        self._waiting: OrderedDict[str, deque[Item]] = OrderedDict()
        self._served: dict[str, int] = {}
        self._clock = itertools.count()

    def __len__(self) -> int:
        return sum(len(items) for items in self._waiting.values())

    def push(self, owner: str, item: Item) -> None:
        self._waiting.setdefault(owner, deque()).append(item)

    def remove(self, owner: str, item: Item) -> bool:
        """Take `item` out of the queue; False when it was not waiting."""
        items = self._waiting.get(owner)
        if not items or item not in items:
            return False
        items.remove(item)
        if not items:
            del self._waiting[owner]
        return True

    def next_owner(self, running: Mapping[str, int]) -> str | None:
        """Whose job starts next, given how many jobs each client has running."""
        if not self._waiting:
            return None
        return min(
            self._waiting, key=lambda owner: (running.get(owner, 0), self._served.get(owner, -1))
        )

    def pop(self, owner: str) -> Item:
        items = self._waiting[owner]
        item = items.popleft()
        if not items:
            del self._waiting[owner]
        self._served[owner] = next(self._clock)
        return item
