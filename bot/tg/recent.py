"""A bounded memory of ids already taken: update ids against redelivery, albums answered or
noted, callback queries answered. In memory, per process; the oldest is forgotten first."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
RECENT = 10_000  # ids remembered at once (about 1 MB of update ids)


class RecentIds(Generic[K]):
    """The last `size` ids taken, oldest forgotten first."""

    def __init__(self, size: int = RECENT) -> None:
        self.size = size
        self._ids: OrderedDict[K, None] = OrderedDict()

    def add(self, ident: K) -> bool:
        """Remember `ident`; False if it was already there (a redelivery)."""
        if ident in self._ids:
            return False
        self._ids[ident] = None
        if len(self._ids) > self.size:
            self._ids.popitem(last=False)
        return True

    def discard(self, ident: K) -> None:
        self._ids.pop(ident, None)

    def __contains__(self, ident: object) -> bool:
        return ident in self._ids
