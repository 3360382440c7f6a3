"""How much the web app takes on at once: the queue's size, the questions answered
together, and how often one client may ask."""

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

    def __post_init__(self) -> None:
        for name in ("queue_size", "chat_concurrency", "questions_per_minute", "question_chars"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")


DEFAULT_LIMITS = UiLimits()


class RateLimit:
    """At most `per_window` admissions per key in any `window_s` seconds. Keys
    that have been quiet for a whole window are forgotten, so a client that
    makes up a new key for every request costs one entry per window, no more."""

    def __init__(
        self,
        per_window: int,
        window_s: float = WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_window, self.window_s, self._clock = per_window, window_s, clock
        self._times: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._swept = clock()

    def admit(self, key: str) -> int:
        """0 when admitted (and counted), else the whole seconds until `key` may ask again."""
        now = self._clock()
        with self._lock:
            self._forget_quiet(now)
            times = self._times.setdefault(key, deque())
            while times and times[0] <= now - self.window_s:
                times.popleft()
            if len(times) >= self.per_window:
                return max(1, math.ceil(times[0] + self.window_s - now))
            times.append(now)
            return 0

    def __len__(self) -> int:
        return len(self._times)

    def _forget_quiet(self, now: float) -> None:
        if now - self._swept < self.window_s:
            return
        self._swept = now
        cutoff = now - self.window_s
        for key in [k for k, times in self._times.items() if not times or times[-1] <= cutoff]:
            del self._times[key]
