"""Any OpenAI-compatible Chat Completions host through the openai SDK: Bedrock `/openai/v1`
and mantle, vLLM, Ollama, llama.cpp, LM Studio, and the embedded local server."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import openai

from playground.cancel import CancelToken
from playground.events import Event, Failure, FailureKind, Finish, Notice, ReasoningDelta, ToolCallDelta, Usage, now
from playground.models import fallback_ids, takes_reasoning_effort
from playground.providers.openai_errors import (
    NOT_COMPATIBLE,
    failure_from_exception,
    failure_from_status,
)
from playground.reasoning import ContentNormaliser, to_events
from playground.request import RunRequest
from playground.secrets import Secret

REASONING_FIELDS = ("reasoning", "reasoning_content", "thinking")
RETRY_STATUSES = {408, 429, 502, 503, 504}
MAX_RETRIES = 2
MAX_RETRY_WAIT_S = 20.0


def build_kwargs(request: RunRequest, stream: bool | None = None) -> dict:
    """The Chat Completions arguments for a request (also what "View code" shows)."""
    p = request.params
    stream = p.stream if stream is None else stream
    kwargs: dict = {"model": request.model, "messages": request.chat_messages(), "max_tokens": p.max_tokens}
    if p.temperature is not None:
        kwargs["temperature"] = p.temperature
    if p.top_p is not None:
        kwargs["top_p"] = p.top_p
    if p.reasoning_effort and takes_reasoning_effort(request.model):
        kwargs["reasoning_effort"] = p.reasoning_effort
    if stream:
        kwargs["stream"] = True
        kwargs["stream_options"] = {"include_usage": True}
    return kwargs


def _field(obj, name: str):
    value = getattr(obj, name, None)
    if value is None and getattr(obj, "model_extra", None):
        value = obj.model_extra.get(name)
    return value


def _usage(u) -> Usage | None:
    if u is None:
        return None
    details = _field(u, "completion_tokens_details")
    reasoning = None
    if details is not None:
        reasoning = details.get("reasoning_tokens") if isinstance(details, dict) else getattr(details, "reasoning_tokens", None)
    return Usage(input_tokens=u.prompt_tokens, output_tokens=u.completion_tokens, reasoning_tokens=reasoning)


class OpenAICompatProvider:
    def __init__(
        self,
        base_url: str,
        api_key: Secret | None = None,
        *,
        read_timeout_s: float = 300.0,
        connect_timeout_s: float = 5.0,
        max_retries: int = MAX_RETRIES,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._key = api_key
        self._max_retries = max_retries
        # One retry layer, ours, so waiting is visible: the SDK's own retries are off.
        self._client = openai.OpenAI(
            base_url=self.base_url,
            api_key=api_key.reveal() if api_key else "not-needed",
            max_retries=0,
            timeout=httpx.Timeout(read_timeout_s, connect=connect_timeout_s),
        )

    # -- models -----------------------------------------------------------------------------------
    def list_models(self) -> list[str]:
        try:
            ids = sorted(m.id for m in self._client.models.list())
        except Exception:  # no /models route, HTML, auth: fall back rather than block the picker
            return fallback_ids(self.base_url)
        return ids or fallback_ids(self.base_url)

    # -- streaming --------------------------------------------------------------------------------
    def stream(self, request: RunRequest, cancel: CancelToken | None = None) -> Iterator[Event]:
        cancel = cancel or CancelToken()
        kwargs = build_kwargs(request)
        response = yield from self._open(kwargs, cancel)
        if response is None:
            return
        if kwargs.get("stream"):
            yield from self._read_stream(response, cancel)
        else:
            yield from self._read_whole(response)

    def _open(self, kwargs: dict, cancel: CancelToken):
        """Send the request, retrying visibly on throttling and unavailability before any token."""
        for attempt in range(self._max_retries + 1):
            if cancel.cancelled:
                return None
            try:
                return self._client.chat.completions.create(**kwargs)
            except openai.APIStatusError as exc:
                failure = failure_from_status(exc, kwargs, self.base_url, self._key)
                if exc.status_code not in RETRY_STATUSES or attempt == self._max_retries:
                    yield failure
                    return None
                wait = _retry_after(exc.response, attempt)
                yield Notice(f"{failure.title} (HTTP {exc.status_code}): retrying in {wait:.1f} s "
                             f"(attempt {attempt + 2} of {self._max_retries + 1})")
                if cancel.wait(wait):
                    return None
            except Exception as exc:  # connection refused, DNS, timeouts
                yield failure_from_exception(exc, self.base_url, False, self._key)
                return None
        return None

    def _read_stream(self, stream, cancel: CancelToken) -> Iterator[Event]:
        cancel.on_cancel(stream.close)
        normaliser = ContentNormaliser()
        finish: Finish | None = None
        usage: Usage | None = None
        got_chunk = False
        try:
            with stream:
                for chunk in stream:
                    if cancel.cancelled:
                        return
                    got_chunk = True
                    if chunk.usage is not None:
                        usage = _usage(chunk.usage)
                    for choice in chunk.choices or ():
                        yield from self._delta_events(choice.delta, normaliser)
                        if choice.finish_reason:
                            finish = Finish(choice.finish_reason)
        except Exception as exc:
            if cancel.cancelled:
                return
            yield from to_events(normaliser.flush())
            yield failure_from_exception(exc, self.base_url, True, self._key)
            return
        yield from to_events(normaliser.flush())
        if not got_chunk:
            yield Failure(FailureKind.NOT_OPENAI_COMPATIBLE, NOT_COMPATIBLE + " (The stream had no events.)")
            return
        if usage:
            yield usage
        if finish:
            yield finish

    @staticmethod
    def _delta_events(delta, normaliser: ContentNormaliser) -> Iterator[Event]:
        if delta is None:
            return
        for name in REASONING_FIELDS:
            text = _field(delta, name)
            if isinstance(text, str) and text:
                yield ReasoningDelta(text)
        if delta.content:
            yield from to_events(normaliser.feed(delta.content))
        for call in delta.tool_calls or ():
            fn = call.function
            yield ToolCallDelta(
                index=call.index,
                id=call.id,
                name=fn.name if fn else None,
                arguments=(fn.arguments or "") if fn else "",
            )

    def _read_whole(self, response) -> Iterator[Event]:
        if isinstance(response, str) or not getattr(response, "choices", None):
            yield Failure(FailureKind.NOT_OPENAI_COMPATIBLE, NOT_COMPATIBLE)
            return
        choice = response.choices[0]
        message = choice.message
        t = now()
        for name in REASONING_FIELDS:
            text = _field(message, name)
            if isinstance(text, str) and text:
                yield ReasoningDelta(text, t=t)
        if message.content:
            normaliser = ContentNormaliser()
            yield from to_events(normaliser.feed(message.content) + normaliser.flush())
        for i, call in enumerate(message.tool_calls or ()):
            yield ToolCallDelta(index=i, id=call.id, name=call.function.name, arguments=call.function.arguments or "")
        usage = _usage(response.usage)
        if usage:
            yield usage
        yield Finish(choice.finish_reason or "stop")


def _retry_after(response: httpx.Response, attempt: int) -> float:
    header = response.headers.get("retry-after-ms")
    try:
        if header:
            return min(MAX_RETRY_WAIT_S, float(header) / 1000)
        header = response.headers.get("retry-after")
        if header:
            return min(MAX_RETRY_WAIT_S, float(header))
    except ValueError:
        pass
    return min(MAX_RETRY_WAIT_S, 0.5 * 2**attempt)


__all__ = ["OpenAICompatProvider", "build_kwargs"]
