"""Login throttling: a sliding window of failed logins per account and per address, kept in the console process.

A login attempt is counted when it starts (`begin`), before the password is checked, so a burst of parallel
attempts cannot all slip past the limit while their Argon2 checks run; a success takes its count back. Past the
limit the console answers 429 with `Retry-After`, without checking the password at all, so an attacker cannot make
it burn CPU either. An account locks from every address (a password guessed slowly from many machines); an
address is limited across accounts (one machine trying many accounts).
"""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable


class LoginThrottle:
    """Failed-login windows (defaults: 5 per account and 20 per address in 15 minutes)."""

    def __init__(
        self,
        per_account: int = 5,
        per_address: int = 20,
        window_s: float = 900,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limits = {"account": per_account, "address": per_address}
        self.window_s = window_s
        self.clock = clock
        self._attempts: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    @staticmethod
    def _keys(email: str, address: str) -> list[tuple[str, str]]:
        return [("account", email.strip().lower()), ("address", address)]

    def _wait(self, key: tuple[str, str], now: float) -> float:
        attempts = self._attempts[key]
        while attempts and attempts[0] <= now - self.window_s:
            attempts.popleft()
        if len(attempts) < self.limits[key[0]]:
            return 0
        return attempts[0] + self.window_s - now

    def begin(self, email: str, address: str) -> float:
        """Seconds to wait before this login may be tried (0: go ahead; it counts as a failure until it succeeds)."""
        with self._lock:
            now = self.clock()
            keys = self._keys(email, address)
            wait = max(self._wait(key, now) for key in keys)
            if wait > 0:
                return math.ceil(wait)
            for key in keys:
                self._attempts[key].append(now)
            return 0

    def succeeded(self, email: str, address: str) -> None:
        """Takes back the count of a login that succeeded."""
        with self._lock:
            for key in self._keys(email, address):
                if self._attempts[key]:
                    self._attempts[key].pop()
