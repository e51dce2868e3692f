"""Chat Completions JSON as Bedrock InvokeModel and SageMaker containers speak it, as plain dicts.

The openai provider reads SDK objects; here the same shapes arrive as bytes inside AWS frames, so
this is the dict twin of its delta handling: reasoning fields, `<reasoning>` tags and harmony
text through the ContentNormaliser, tool calls, and usage wherever the host put it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace

from playground.events import Event, Failure, FailureKind, Finish, ReasoningDelta, ToolCallDelta, Usage, now
from playground.providers.aws.aws_errors import HostStreamError
from playground.reasoning import REASONING_FIELDS, ContentNormaliser, to_events
from playground.request import RunRequest, chat_completions_body

METRICS_KEY = "amazon-bedrock-invocationMetrics"
NOT_CHAT = "The host did not answer with Chat Completions JSON"


def chat_body(request: RunRequest, *, stream: bool) -> dict:
    """The JSON body without `model` (the URL names the model or endpoint)."""
    return chat_completions_body(request, stream=stream, include_model=False)


def _int(value) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def usage_from(obj: Mapping) -> Usage | None:
    """Usage from `usage` and/or Bedrock's `amazon-bedrock-invocationMetrics`."""
    u = obj.get("usage") if isinstance(obj.get("usage"), Mapping) else None
    m = obj.get(METRICS_KEY) if isinstance(obj.get(METRICS_KEY), Mapping) else None
    if u is None and m is None:
        return None
    u, m = u or {}, m or {}
    details = u.get("completion_tokens_details") if isinstance(u.get("completion_tokens_details"), Mapping) else {}
    latency = m.get("invocationLatency")
    return Usage(
        input_tokens=_int(u.get("prompt_tokens", m.get("inputTokenCount"))),
        output_tokens=_int(u.get("completion_tokens", m.get("outputTokenCount"))),
        reasoning_tokens=_int(details.get("reasoning_tokens")),
        host_latency_ms=float(latency) if latency is not None else None,
    )


def usage_from_headers(headers: Mapping[str, str]) -> Usage | None:
    """InvokeModel's `x-amzn-bedrock-*` response headers (botocore lower-cases their names)."""
    tokens_in = _int(headers.get("x-amzn-bedrock-input-token-count"))
    tokens_out = _int(headers.get("x-amzn-bedrock-output-token-count"))
    latency = _int(headers.get("x-amzn-bedrock-invocation-latency"))
    if tokens_in is None and tokens_out is None:
        return None
    return Usage(input_tokens=tokens_in, output_tokens=tokens_out, host_latency_ms=latency)


def merge_usage(primary: Usage | None, fallback: Usage | None) -> Usage | None:
    """`primary` with its gaps filled from `fallback` (e.g. body tokens + header latency)."""
    if primary is None or fallback is None:
        return primary or fallback
    fields = ("input_tokens", "output_tokens", "reasoning_tokens", "host_latency_ms")
    return replace(primary, **{f: getattr(fallback, f) for f in fields if getattr(primary, f) is None})


def _host_error(obj: Mapping) -> str | None:
    err = obj.get("error")
    if err is None and "choices" not in obj:
        err = obj.get("message") or obj.get("Message")
    if err is None:
        return None
    if isinstance(err, Mapping):
        return str(err.get("message") or err.get("Message") or json.dumps(err)[:300])
    return str(err)


def _tool_events(calls, t: float | None = None) -> list[Event]:
    events: list[Event] = []
    for i, call in enumerate(calls or ()):
        fn = call.get("function") or {}
        args = fn.get("arguments") or ""
        events.append(
            ToolCallDelta(
                index=call.get("index", i),
                id=call.get("id"),
                name=fn.get("name"),
                arguments=args if isinstance(args, str) else json.dumps(args),
                **({"t": t} if t is not None else {}),
            )
        )
    return events


class ChunkReader:
    """Feed streamed chunk objects in order; `end()` gives the closing events."""

    def __init__(self) -> None:
        self.normaliser = ContentNormaliser()
        self.finish: str | None = None
        self.usage: Usage | None = None
        self.chunks = 0

    def feed(self, obj: object) -> list[Event]:
        if not isinstance(obj, Mapping):
            raise HostStreamError(f"a stream chunk that is not a JSON object: {str(obj)[:120]}")
        message = _host_error(obj)
        if message is not None:
            raise HostStreamError(message)
        self.chunks += 1
        self.usage = usage_from(obj) or self.usage
        events: list[Event] = []
        for choice in obj.get("choices") or ():
            delta = choice.get("delta") or {}
            for name in REASONING_FIELDS:
                if isinstance(delta.get(name), str) and delta[name]:
                    events.append(ReasoningDelta(delta[name]))
            if isinstance(delta.get("content"), str) and delta["content"]:
                events.extend(to_events(self.normaliser.feed(delta["content"])))
            events.extend(_tool_events(delta.get("tool_calls")))
            if choice.get("finish_reason"):
                self.finish = choice["finish_reason"]
        return events

    def flush(self) -> list[Event]:
        return to_events(self.normaliser.flush())

    def end(self, fallback_usage: Usage | None = None, done: bool = False) -> list[Event]:
        """Flush, then Usage and Finish; a Failure when the stream stopped without saying it was done."""
        events = self.flush()
        if self.finish is None and not done:
            if self.chunks == 0:
                events.append(Failure(FailureKind.NOT_OPENAI_COMPATIBLE, f"{NOT_CHAT}: the stream held no chunks."))
            else:
                events.append(
                    Failure(FailureKind.INTERRUPTED, "The stream ended before the host said it was finished.")
                )
            return events
        usage = merge_usage(self.usage, fallback_usage)
        if usage is not None:
            events.append(usage)
        events.append(Finish(self.finish or "stop"))
        return events


def whole_body(data: bytes) -> object:
    """A non-streamed response body: its JSON, or the start of its text when it is not JSON (then
    `whole_events` says the host did not answer with Chat Completions JSON)."""
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return data.decode("utf-8", "replace")[:200]


def whole_events(obj: object, fallback_usage: Usage | None = None) -> list[Event]:
    """Events for a non-streamed chat.completion object."""
    if isinstance(obj, Mapping) and _host_error(obj) is not None:
        return [Failure(FailureKind.SERVER_ERROR, f"The host reported: {_host_error(obj)}")]
    choices = obj.get("choices") if isinstance(obj, Mapping) else None
    if not choices or not isinstance(choices[0], Mapping):
        shape = sorted(obj)[:6] if isinstance(obj, Mapping) else type(obj).__name__
        return [Failure(FailureKind.NOT_OPENAI_COMPATIBLE, f"{NOT_CHAT} (got {shape}).")]
    choice = choices[0]
    message = choice.get("message") or {}
    t = now()
    events: list[Event] = []
    for name in REASONING_FIELDS:
        if isinstance(message.get(name), str) and message[name]:
            events.append(ReasoningDelta(message[name], t=t))
    if isinstance(message.get("content"), str) and message["content"]:
        normaliser = ContentNormaliser()
        events.extend(to_events(normaliser.feed(message["content"]) + normaliser.flush()))
    events.extend(_tool_events(message.get("tool_calls"), t))
    usage = merge_usage(usage_from(obj), fallback_usage)
    if usage is not None:
        events.append(usage)
    events.append(Finish(choice.get("finish_reason") or "stop"))
    return events
