"""The server's store of finished heavy results (gradients, training runs, generations), shared
by every session, bounded in size and age.
"""

from __future__ import annotations

import collections
import pickle
import threading
import time
from collections.abc import Hashable

import streamlit as st


class Results:
    """A bounded, thread-safe store of finished heavy results, shared by every session.

    Values are kept pickled, so every session gets its own copy to read (no session can change
    another's tables), and the oldest entries go first once ``max_entries`` is reached or after
    ``ttl`` seconds.
    """

    def __init__(self, max_entries: int, ttl: float) -> None:
        self.max_entries, self.ttl = max_entries, ttl
        self._lock = threading.Lock()
        self._items: collections.OrderedDict[Hashable, tuple[float, bytes]] = collections.OrderedDict()

    def get(self, key: Hashable) -> object | None:
        with self._lock:
            item = self._items.get(key)
            if item is None or time.monotonic() - item[0] > self.ttl:
                self._items.pop(key, None)
                return None
            self._items.move_to_end(key)
        return pickle.loads(item[1])

    def put(self, key: Hashable, value: object) -> None:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        with self._lock:
            self._items[key] = (time.monotonic(), data)
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)


@st.cache_resource(show_spinner=False)
def results() -> Results:
    """The server's store of heavy results (gradients, training runs, generations)."""
    return Results(max_entries=48, ttl=30 * 60)
