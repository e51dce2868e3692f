""" "Test" a connection: one real one-token call through the same provider a chat would use."""

from __future__ import annotations

import time
from dataclasses import dataclass

from playground.cancel import CancelToken
from playground.connections import Connection
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
    """List models, then ask the first (or `model`) for one token. Never raises."""
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
    notes: list[str] = []
    got_output = False
    for event in provider.stream(request, cancel):
        if isinstance(event, Failure):
            return ProbeResult(False, f"{event.title}: {event.message}", time.perf_counter() - start, models)
        if isinstance(event, Notice):
            notes.append(event.text)
        if isinstance(event, ReasoningDelta | TextDelta):
            got_output = True
        if time.perf_counter() - start > timeout_s:
            cancel.cancel()
            return ProbeResult(False, f"No answer within {timeout_s:.0f} s", time.perf_counter() - start, models)
    latency = time.perf_counter() - start
    detail = "answered" if got_output else "accepted the request"
    suffix = f" ({'; '.join(notes)})" if notes else ""
    return ProbeResult(True, f"`{target}` {detail} in {latency:.2f} s{suffix}", latency, models)
