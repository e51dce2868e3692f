""" "Test" a connection: one real one-token call through the same provider a chat would use."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from playground.cancel import CancelToken
from playground.connections import Connection, Kind
from playground.events import Failure, Notice, ReasoningDelta, TextDelta
from playground.providers import make_provider
from playground.request import Params, RunRequest


@dataclass(frozen=True)
class ProbeResult:
    ok: bool
    message: str
    latency_s: float
    models: tuple[str, ...] = ()


def probe(connection: Connection, model: str | None = None, timeout_s: float = 60.0) -> ProbeResult:
    """List models, then ask the first (or `model`) for one token. Never raises.

    AWS connections use the AWS provider's own probe: one non-streaming call with retries off, so a
    test neither waits through botocore's backoff nor is billed twice."""
    if connection.kind in (Kind.BEDROCK_CONVERSE, Kind.BEDROCK_INVOKE, Kind.SAGEMAKER):
        from playground.providers.aws import probe as aws_probe

        ok, message, latency = aws_probe(connection, model)
        return ProbeResult(ok, message, latency)
    start = time.perf_counter()
    try:
        provider = make_provider(connection)
        models = tuple(provider.list_models())
    except Exception as exc:  # a local server that cannot start, bad AWS config, …
        return ProbeResult(False, f"{type(exc).__name__}: {exc}", time.perf_counter() - start)
    target = model or (models[0] if models else "")
    request = RunRequest(
        target,
        ({"role": "user", "content": "Say OK."},),
        params=Params(max_tokens=1, reasoning_effort="low", stream=True),
    )
    cancel = CancelToken()
    # A timer, not a check between events: a host that stalls sends no event to check on.
    deadline = threading.Timer(max(0.0, timeout_s - (time.perf_counter() - start)), cancel.cancel)
    deadline.start()
    notes: list[str] = []
    got_output = False
    try:
        for event in provider.stream(request, cancel):
            if isinstance(event, Failure):
                return ProbeResult(False, f"{event.title}: {event.message}", time.perf_counter() - start, models)
            if isinstance(event, Notice):
                notes.append(event.text)
            if isinstance(event, ReasoningDelta | TextDelta):
                got_output = True
    finally:
        deadline.cancel()
    if cancel.cancelled:
        return ProbeResult(False, f"No answer within {timeout_s:.0f} s", time.perf_counter() - start, models)
    latency = time.perf_counter() - start
    detail = "answered" if got_output else "accepted the request"
    suffix = f" ({'; '.join(notes)})" if notes else ""
    return ProbeResult(True, f"`{target}` {detail} in {latency:.2f} s{suffix}", latency, models)
