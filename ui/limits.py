"""How much the web app takes on at once: the queue's size, the questions answered
together, and how often one client may ask, change the library or upload."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

WINDOW_S = 60.0


@dataclass(frozen=True)
class UiLimits:
    # Jobs waiting or running, all events together; beyond it Gradio answers 503.
    queue_size: int = 32
    # Questions answered at the same time (index writes always run one at a time).
    chat_concurrency: int = 4
    # Questions one client (one browser session) may start in any minute.
    questions_per_minute: int = 20
    # The longest question taken, in characters: a question is embedded whole and
    # sent back in every streamed frame of its conversation (a 50 MB one, unbounded,
    # cost 13 s and 200 MB of replies, and the server kept 170 MB of it).
    question_chars: int = 2_000
    # Questions one client address may start in any minute, whatever browser session
    # it claims: a raw client that made up a session per request passed the limit above.
    # Six sessions' worth, as a newsroom behind one address shares it.
    address_questions_per_minute: int = 120
    # Library changes one client address may ask for in any minute (adding uploads,
    # a folder or a removal; refused keys count too, so a key cannot be guessed fast).
    writes_per_minute: int = 6
    # Gradio keeps each upload in its temporary folder, indexed or not, until the app
    # deletes it `upload_keep_s` later; one client address may upload `upload_mb_kept`
    # megabytes in any such stretch, which bounds the disk it can fill.
    upload_keep_s: int = 3600
    upload_mb_kept: int = 200

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if value < 1:
                raise ValueError(f"{name} must be at least 1, got {value}")


DEFAULT_LIMITS = UiLimits()


class RateLimit:
    """At most `per_window` units per key in any `window_s` seconds: a question is
    one unit, an upload its bytes. Keys that have been quiet for a whole window are
    forgotten, so a client that makes up a new key for every request costs one
    entry per window, no more."""

    def __init__(
        self,
        per_window: int,
        window_s: float = WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_window, self.window_s, self._clock = per_window, window_s, clock
        self._spent: dict[str, deque[tuple[float, int]]] = {}
        self._lock = threading.Lock()
        self._swept = clock()

    def admit(self, key: str, cost: int = 1) -> int:
        """0 when admitted (and counted), else the whole seconds until `key` may spend `cost`."""
        now = self._clock()
        with self._lock:
            self._forget_quiet(now)
            spent = self._spent.setdefault(key, deque())
            while spent and spent[0][0] <= now - self.window_s:
                spent.popleft()
            if cost > self.per_window:
                return math.ceil(self.window_s)
            over = sum(units for _, units in spent) + cost - self.per_window
            if over <= 0:
                spent.append((now, cost))
                return 0
            return max(1, math.ceil(self._freed_at(spent, over) + self.window_s - now))

    def __len__(self) -> int:
        return len(self._spent)

    @staticmethod
    def _freed_at(spent: deque[tuple[float, int]], over: int) -> float:
        """When the oldest spending that frees `over` units was made."""
        for at, units in spent:
            over -= units
            if over <= 0:
                return at
        raise AssertionError("cost <= per_window, so the spent units cover `over`")

    def _forget_quiet(self, now: float) -> None:
        if now - self._swept < self.window_s:
            return
        self._swept = now
        cutoff = now - self.window_s
        quiet = [k for k, spent in self._spent.items() if not spent or spent[-1][0] <= cutoff]
        for key in quiet:
            del self._spent[key]
