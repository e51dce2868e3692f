"""Make botocore's retries visible, and stop it retrying what would be billed twice.

botocore (standard mode, 3 attempts) retries throttling and 5xx inside one boto3 call, where our
generator cannot see it. A `needs-retry` hook registered ahead of botocore's own makes the same
decision with botocore's own classes (StandardRetryConditions, ExponentialBackoff), so it knows
the delay, and sends "Throttled (ThrottlingException): retrying in 0.8 s (attempt 2 of 3)" to
whoever watches the current thread (see `worker.pump`) before botocore sleeps. Being first, its
answer is the one botocore acts on. The count also ends up in the Failure when retries run out.

A read timeout on a model call is never retried: the model did run (and bills), and with a 300 s
read timeout three attempts would hold the user for 15 minutes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

from botocore.exceptions import ReadTimeoutError
from botocore.retries import standard

from playground.events import Event, Notice

THROTTLE_CODES = {
    "throttling",
    "throttlingexception",
    "toomanyrequestsexception",
    "modelnotreadyexception",
    "servicequotaexceededexception",
    "requestlimitexceeded",
    "provisionedthroughputexceededexception",
}
_local = threading.local()


@dataclass
class RetryWatch:
    """What botocore retried during calls made on one thread; `sink` receives live Notices."""

    sink: Callable[[Event], object] | None = None
    retries: int = 0


def current() -> RetryWatch | None:
    return getattr(_local, "watch", None)


@contextmanager
def watching(watch: RetryWatch):
    """Route retry reports of boto3 calls made on this thread into `watch`."""
    previous = current()
    _local.watch = watch
    try:
        yield watch
    finally:
        _local.watch = previous


def install(client, max_attempts: int) -> None:
    """Register the hook on one client (events are per client, so connections stay apart)."""
    service = client.meta.service_model.service_id.hyphenize()
    policy = _VisibleRetries(max_attempts, service)
    client.meta.events.register_first(
        f"needs-retry.{service}", policy.needs_retry, unique_id=f"playground-needs-retry-{service}"
    )


def _reason(response, caught_exception) -> str:
    if caught_exception is not None:
        return type(caught_exception).__name__
    http, parsed = response if isinstance(response, tuple) else (None, {})
    code = ((parsed or {}).get("Error") or {}).get("Code")
    status = getattr(http, "status_code", None)
    return code or (f"HTTP {status}" if status else "an error")


class _VisibleRetries:
    def __init__(self, max_attempts: int, service: str) -> None:
        self.max_attempts = max_attempts
        self.adapter = standard.RetryEventAdapter()
        self.conditions = standard.StandardRetryConditions(max_attempts=max_attempts)
        self.backoff = standard.ExponentialBackoff(
            service_name=service, throttling_detector=standard.ThrottlingErrorDetector(self.adapter)
        )

    def needs_retry(self, **kwargs) -> float | bool | None:
        operation, caught = kwargs.get("operation"), kwargs.get("caught_exception")
        if isinstance(caught, ReadTimeoutError) and not operation.name.startswith("List"):
            return False  # False, not None: it overrides botocore's own "retry"
        context = self.adapter.create_retry_context(**kwargs)
        if not self.conditions.is_retryable(context):
            return None  # botocore's handler, asking the same question, will not retry either
        delay = self.backoff.delay_amount(context)
        attempt = kwargs["attempts"] + 1
        watch = current()
        if watch is not None:
            watch.retries = attempt - 1
            reason = _reason(kwargs.get("response"), caught)
            what = "Throttled" if reason.lower() in THROTTLE_CODES else "AWS answered"
            text = f"{what} ({reason}): retrying in {delay:.1f} s (attempt {attempt} of {self.max_attempts})."
            if watch.sink is not None:
                watch.sink(Notice(text))
        return delay
