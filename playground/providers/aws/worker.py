"""Run a provider's blocking boto3 work on a worker thread and hand its events over a queue.

Why a thread: a boto3 call blocks for the whole retry loop (and for minutes on a non-streaming
high-effort answer), so the caller could neither show botocore's retries as they happen nor
stop promptly. Here the worker does the call and the reading; the caller's generator only waits
on a queue, so `cancel` (or closing the generator) returns at once while the worker closes the
AWS stream behind it.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator

from playground.cancel import CancelToken
from playground.events import Event, Failure, FailureKind
from playground.providers.aws import retries

_END = object()


def pump(
    produce: Callable[[CancelToken, retries.RetryWatch], Iterator[Event]], cancel: CancelToken | None
) -> Iterator[Event]:
    """Yield what `produce(token, watch)` yields on a worker thread, plus botocore retry Notices.

    `token` is cancelled when `cancel` is, and also when this generator is closed early (Stop and
    reruns in Streamlit close it without cancelling), so the worker always winds down."""
    outer = cancel or CancelToken()
    inner = CancelToken()
    box: queue.SimpleQueue = queue.SimpleQueue()
    inner.on_cancel(lambda: box.put(_END))  # wake the waiting caller at once
    outer.on_cancel(inner.cancel)

    def work() -> None:
        watch = retries.RetryWatch(sink=box.put)
        try:
            with retries.watching(watch):
                for event in produce(inner, watch):
                    if inner.cancelled:
                        break
                    box.put(event)
        except Exception as exc:  # a bug in a reader must still end the run visibly, not hang it
            box.put(Failure(FailureKind.INTERRUPTED, f"Internal error while reading the answer: {type(exc).__name__}"))
        finally:
            box.put(_END)

    if inner.cancelled:  # stopped before it began: make no (billed) call at all
        return
    threading.Thread(target=work, name="aws-stream", daemon=True).start()
    try:
        while True:
            item = box.get()
            if item is _END or inner.cancelled:
                return
            yield item
    finally:
        inner.cancel()
