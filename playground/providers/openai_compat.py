"""Any OpenAI-compatible Chat Completions host through the openai SDK: Bedrock `/openai/v1`
and mantle, vLLM, Ollama, llama.cpp, LM Studio, and the embedded local server.

What the SDK does not do for us, and this module does: turn every transport fault (a broken or
garbled stream, a stream that just stops, HTML where JSON was expected) into a typed Failure
event; retry throttling visibly (a Notice per wait) instead of silently; abort a blocked read
when the run is cancelled (closing a socket from another thread does not wake a reader on
Linux: shutting it down does).
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator

import httpx2 as httpx
import openai
from openai.types.chat import ChatCompletionChunk
from openai.types.chat.chat_completion_chunk import ChoiceDelta

from playground.cancel import CancelToken
from playground.events import (
    Event,
    Failure,
    FailureKind,
    Finish,
    Notice,
    ReasoningDelta,
    TextDelta,
    ToolCallDelta,
    Usage,
    now,
)
from playground.models import fallback_ids
from playground.providers.openai_errors import (
    NOT_COMPATIBLE,
    failure_from_exception,
    failure_from_status,
    host_message,
)
from playground.reasoning import ANSWER, REASONING, REASONING_FIELDS, ContentNormaliser, to_events
from playground.request import RunRequest, chat_completions_body
from playground.secrets import Secret, redact

# The SDK's own retryable statuses minus 409 (an OpenAI-specific lock conflict).
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
MAX_RETRIES = 2
MAX_RETRY_WAIT_S = 20.0  # a host asking for a longer wait gets a Failure, not a frozen pane
LIST_MODELS_TIMEOUT_S = 10.0
NO_FINISH = "The stream ended without a finish reason (no [DONE], no finish_reason): the answer may be cut short."


def build_kwargs(request: RunRequest, stream: bool | None = None) -> dict:
    """The Chat Completions arguments for a request (also what "View code" shows)."""
    return chat_completions_body(request, stream=request.params.stream if stream is None else stream)


def _field(obj, name: str):
    """A declared field or one the SDK kept as an extra (`reasoning`, `thinking`, ...)."""
    value = getattr(obj, name, None)
    if value is None:
        extra = getattr(obj, "__pydantic_extra__", None)
        if extra:
            value = extra.get(name)
    return value


def _usage(u) -> Usage | None:
    if u is None:
        return None
    prompt = getattr(u, "prompt_tokens", None)
    completion = getattr(u, "completion_tokens", None)
    total = getattr(u, "total_tokens", None)
    if completion is None and total is not None and prompt is not None:
        completion = total - prompt
    details = _field(u, "completion_tokens_details")
    reasoning = None
    if details is not None:
        reasoning = (
            details.get("reasoning_tokens") if isinstance(details, dict) else _field(details, "reasoning_tokens")
        )
    if prompt is None and completion is None:
        return None
    return Usage(input_tokens=prompt, output_tokens=completion, reasoning_tokens=reasoning)


class _Cancelled(Exception):
    pass


def _call_cancellable(call: Callable[[], object], cancel: CancelToken) -> object:
    """Run `call` (a blocking request) so that cancelling returns at once.

    Until response headers arrive there is no response object whose socket we could shut down,
    and a non-streaming high-effort answer can take minutes: the call runs on a helper thread
    and, when cancelled, is abandoned (its late response is closed as soon as it arrives)."""
    box: dict = {}
    done = threading.Event()

    def run() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:  # handed to the waiting thread
            box["error"] = exc
        finally:
            done.set()
            if cancel.cancelled and "value" in box:
                _close_quietly(box["value"])

    cancel.on_cancel(done.set)
    threading.Thread(target=run, name="openai-request", daemon=True).start()
    done.wait()
    if cancel.cancelled:
        if "value" in box:
            _close_quietly(box["value"])
        raise _Cancelled
    if "error" in box:
        raise box["error"]
    return box["value"]


def _close_quietly(response: object) -> None:
    close = getattr(response, "close", None)
    if close is not None:
        with contextlib.suppress(Exception):  # already broken: closed either way
            close()


def _abort(response: httpx.Response) -> None:
    """Wake a thread blocked reading `response`: shut its socket down, or close it."""
    if response.is_closed:  # finished: its connection may already serve another request
        return
    network = response.extensions.get("network_stream")
    sock = network.get_extra_info("socket") if network is not None else None
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
            return
        except OSError:  # already closed
            return
    _close_quietly(response)


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
        timeout = httpx.Timeout(read_timeout_s, connect=connect_timeout_s)
        # One retry layer, ours, so waiting is visible: the SDK's own retries are off. Redirects
        # are not followed: a redirect would carry the prompt (httpx drops only the key) to a
        # host the user never chose; the failure names the target instead.
        self._client = openai.OpenAI(
            base_url=self.base_url,
            api_key=api_key.reveal() if api_key else "not-needed",
            max_retries=0,
            timeout=timeout,
            http_client=openai.DefaultHttpxClient(follow_redirects=False, timeout=timeout),
        )

    # -- models -----------------------------------------------------------------------------------
    def list_models(self) -> list[str]:
        try:
            page = self._client.with_options(timeout=LIST_MODELS_TIMEOUT_S).models.list()
            ids = sorted({m.id for m in page if isinstance(getattr(m, "id", None), str)})
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
        create = self._client.chat.completions.create
        for attempt in range(self._max_retries + 1):
            if cancel.cancelled:
                return None
            try:
                return _call_cancellable(lambda: create(**kwargs), cancel)
            except _Cancelled:
                return None
            except openai.APIStatusError as exc:
                failure = failure_from_status(exc, kwargs, self.base_url, self._key)
                wait = _retry_after(exc.response, attempt)
                if not _should_retry(exc) or attempt == self._max_retries:
                    if attempt:
                        tries = f" (Retried {attempt} time{'s' if attempt > 1 else ''}.)"
                        failure = Failure(failure.kind, failure.message + tries, failure.status)
                    yield failure
                    return None
                if wait is None:
                    later = f" The host asked to wait more than {MAX_RETRY_WAIT_S:.0f} s: try again later."
                    yield Failure(failure.kind, failure.message + later, failure.status)
                    return None
                yield Notice(
                    f"{failure.title} (HTTP {exc.status_code}): retrying in {wait:.1f} s "
                    f"(attempt {attempt + 2} of {self._max_retries + 1})"
                )
                if cancel.wait(wait):
                    return None
            except Exception as exc:  # connection refused, DNS, timeouts
                yield failure_from_exception(exc, self.base_url, False, self._key)
                return None
        return None

    def _read_stream(self, stream, cancel: CancelToken) -> Iterator[Event]:
        """Chunks → events. The hot path of every streamed run: keep it lean."""
        # Disarmed when the stream ends: a token cancelled later (Stop on a finished pane) must not
        # shut down a socket the pool has since handed to another run.
        armed = [True]
        cancel.on_cancel(lambda: armed[0] and _abort(stream.response))
        feed = ContentNormaliser().feed
        normaliser = feed.__self__
        finish: str | None = None
        usage: Usage | None = None
        got_chunk = False
        declared = _DECLARED_REASONING_FIELDS
        try:
            with stream:
                for chunk in stream:
                    if cancel.cancelled:
                        yield from to_events(normaliser.flush())
                        return
                    if type(chunk) is not ChatCompletionChunk and not isinstance(chunk, ChatCompletionChunk):
                        yield from to_events(normaliser.flush())
                        yield Failure(
                            FailureKind.NOT_OPENAI_COMPATIBLE, f"{NOT_COMPATIBLE} (A stream event was {chunk!r:.80}.)"
                        )
                        return
                    got_chunk = True
                    if chunk.usage is not None:
                        usage = _usage(chunk.usage) or usage
                    for choice in chunk.choices or ():
                        delta = choice.delta
                        if delta is not None:
                            extra = delta.__pydantic_extra__
                            if extra:
                                for name in REASONING_FIELDS:
                                    text = extra.get(name)
                                    if text and isinstance(text, str):
                                        yield ReasoningDelta(text)
                            for name in declared:  # fields a future SDK may declare
                                text = getattr(delta, name, None)
                                if text and isinstance(text, str):
                                    yield ReasoningDelta(text)
                            content = delta.content
                            if content:
                                for piece in feed(content):
                                    kind = piece.kind
                                    if kind == ANSWER:
                                        yield TextDelta(piece.text)
                                    elif kind == REASONING:
                                        yield ReasoningDelta(piece.text)
                                    else:
                                        yield from to_events([piece])
                            if delta.tool_calls:
                                yield from _tool_call_events(delta.tool_calls)
                        if choice.finish_reason:
                            finish = choice.finish_reason
        except Exception as exc:
            yield from to_events(normaliser.flush())
            if cancel.cancelled:
                return  # our own abort broke the read: not a failure
            failure = failure_from_exception(exc, self.base_url, True, self._key)
            if finish is None:
                yield failure
                return
            # The answer was finished; only the trailer (usage, [DONE]) was lost.
            yield Notice(f"The connection broke after the answer was finished. {failure.message}")
            if usage:
                yield usage
            yield Finish(finish)
            return
        finally:
            armed[0] = False
        yield from to_events(normaliser.flush())
        if cancel.cancelled:
            return
        if not got_chunk:
            yield Failure(FailureKind.NOT_OPENAI_COMPATIBLE, NOT_COMPATIBLE + " (The stream had no events.)")
            return
        if usage:
            yield usage
        if finish:
            yield Finish(finish)
        else:
            yield Failure(FailureKind.INTERRUPTED, NO_FINISH)

    def _read_whole(self, response) -> Iterator[Event]:
        if isinstance(response, str) or not getattr(response, "choices", None):
            error = _field(response, "error") if not isinstance(response, str) else None
            if error:
                message = redact(host_message({"error": error}), self._key)
                yield Failure(FailureKind.SERVER_ERROR, f"The host answered with an error: {message}")
            else:
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
            fn = getattr(call, "function", None)
            yield ToolCallDelta(
                index=i,
                id=getattr(call, "id", None),
                name=getattr(fn, "name", None),
                arguments=getattr(fn, "arguments", None) or "",
            )
        usage = _usage(response.usage)
        if usage:
            yield usage
        yield Finish(choice.finish_reason or "stop")


_DECLARED_REASONING_FIELDS = tuple(n for n in REASONING_FIELDS if n in ChoiceDelta.model_fields)


def _tool_call_events(calls) -> Iterator[ToolCallDelta]:
    for position, call in enumerate(calls):
        fn = getattr(call, "function", None)
        index = getattr(call, "index", None)
        yield ToolCallDelta(
            index=index if isinstance(index, int) else position,
            id=getattr(call, "id", None),
            name=getattr(fn, "name", None),
            arguments=getattr(fn, "arguments", None) or "",
        )


def _should_retry(exc: openai.APIStatusError) -> bool:
    header = exc.response.headers.get("x-should-retry")
    if header in ("true", "false"):
        return header == "true"
    return exc.status_code in RETRY_STATUSES


def _retry_after(response: httpx.Response, attempt: int) -> float | None:
    """Seconds to wait before the next attempt; None when the host asks for too long a wait."""
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        header = response.headers.get(name)
        if header:
            try:
                wait = max(0.0, float(header) / scale)
            except ValueError:
                continue  # an HTTP date: use our own backoff
            return wait if wait <= MAX_RETRY_WAIT_S else None
    return min(MAX_RETRY_WAIT_S, 0.5 * 2**attempt)


__all__ = ["OpenAICompatProvider", "build_kwargs"]
