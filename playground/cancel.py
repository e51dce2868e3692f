"""Cooperative cancellation that can also abort a blocked network read."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable


class CancelToken:
    """`cancel()` sets the flag and runs every registered closer (e.g. an HTTP response's
    `close`), so a worker blocked in a read wakes up instead of waiting for the next byte."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._closers: list[Callable[[], object]] = []

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`; True when cancelled meanwhile."""
        return self._event.wait(seconds)

    def on_cancel(self, closer: Callable[[], object]) -> None:
        with self._lock:
            run_now = self._event.is_set()
            if not run_now:
                self._closers.append(closer)
        if run_now:
            _quietly(closer)

    def cancel(self) -> None:
        with self._lock:
            self._event.set()
            closers, self._closers = self._closers, []
        for closer in closers:
            _quietly(closer)


def _quietly(closer: Callable[[], object]) -> None:
    with contextlib.suppress(Exception):  # closing a broken connection may raise; it is closed either way
        closer()
