"""Polling for "no hang" checks: generous bounds, never a timing assertion."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_until(predicate: Callable[[], bool], timeout_s: float = 10.0, poll_s: float = 0.01) -> bool:
    """True as soon as `predicate()` holds; its last value once `timeout_s` has passed."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(poll_s)
    return predicate()
