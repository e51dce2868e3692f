"""One run: a request goes in, events come out, and a RunRecord collects them.

The record is what every layer above shares: the page renders it live and from history through
the same components, the compare page tabulates it, exports serialise it with `to_dict()`.
"""

from __future__ import annotations

import enum
import logging
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

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
from playground.metrics import Metrics, compute
from playground.pricing import Price
from playground.request import RunRequest
from playground.secrets import redact

log = logging.getLogger(__name__)
TRUNCATED_REASONS = {"length", "max_tokens", "model_context_window_exceeded"}


class GrowingText:
    """Append-only text that a worker thread writes while the page thread reads it.

    Appends never move earlier pieces and reads join only what is new since the last read, so a
    read is O(new text) and never loses a piece appended concurrently (list append and slicing
    are atomic under the GIL; the cache is replaced in one assignment)."""

    __slots__ = ("_cache", "_parts")

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._cache: tuple[int, str] = (0, "")

    def append(self, piece: str) -> None:
        self._parts.append(piece)

    def text(self) -> str:
        done, text = self._cache
        n = len(self._parts)
        if n > done:
            text += "".join(self._parts[done:n])
            self._cache = (n, text)
        return text

    def __bool__(self) -> bool:
        return bool(self._parts)


class Status(enum.StrEnum):
    STREAMING = "streaming"
    COMPLETE = "complete"
    INCOMPLETE = "incomplete"  # the host stopped it early (token budget, context window)
    INTERRUPTED = "interrupted"  # the stream broke or ended without a finish reason
    STOPPED = "stopped"  # the user pressed Stop
    ERROR = "error"  # failed before any output


@dataclass
class RunRecord:
    request: RunRequest
    connection_name: str = ""
    price: Price | None = None
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    started_at: float = field(default_factory=time.time)  # wall clock, for storage
    started: float = field(default_factory=now)  # perf_counter, for metrics
    first_token: float | None = None
    first_answer: float | None = None
    ended: float | None = None
    last_event: float | None = None  # perf_counter of the last event applied
    finish_reason: str | None = None
    failure: Failure | None = None
    usage: Usage | None = None
    notices: list[str] = field(default_factory=list)
    tool_calls: dict[int, dict] = field(default_factory=dict)
    status: Status = Status.STREAMING
    _reasoning: GrowingText = field(default_factory=lambda: GrowingText())
    _answer: GrowingText = field(default_factory=lambda: GrowingText())

    # -- text -------------------------------------------------------------------------------------
    @property
    def reasoning(self) -> str:
        return self._reasoning.text()

    @property
    def answer(self) -> str:
        return self._answer.text()

    @property
    def model(self) -> str:
        return self.request.model

    # -- collecting -------------------------------------------------------------------------------
    def apply(self, event: Event) -> None:
        cls = type(event)
        # The two kinds that arrive by the thousand first, without pattern matching.
        if cls is TextDelta:
            if self.first_answer is None:
                self.first_answer = event.t
                if self.first_token is None:
                    self.first_token = event.t
            self._answer.append(event.text)
            self.last_event = event.t
            return
        if cls is ReasoningDelta:
            if self.first_token is None:
                self.first_token = event.t
            self._reasoning.append(event.text)
            self.last_event = event.t
            return
        match event:
            case ToolCallDelta(index=i, id=call_id, name=name, arguments=args, t=t):
                if self.first_token is None:
                    self.first_token = t
                call = self.tool_calls.setdefault(i, {"id": None, "name": "", "arguments": ""})
                call["id"] = call["id"] or call_id
                call["name"] = call["name"] or (name or "")
                call["arguments"] += args
            case Usage():
                self.usage = event
            case Finish(reason=reason):
                self.finish_reason = reason
            case Notice(text=text):
                self.notices.append(text)
            case Failure():
                self.failure = event
            case _:
                return
        self.last_event = event.t

    def close(self, stopped: bool = False) -> None:
        """Settle the status once the stream is over, however it ended."""
        if self.status is not Status.STREAMING:
            return
        # Latency ends when the engine saw the last event, not when a (slow) consumer got round
        # to closing the record; a run with no event at all ends now.
        self.ended = self.last_event if self.last_event is not None else now()
        has_output = bool(self.answer or self.reasoning or self.tool_calls)
        if stopped:
            self.status = Status.STOPPED
        elif self.failure is not None:
            self.status = Status.INTERRUPTED if has_output else Status.ERROR
        elif self.finish_reason is None:
            self.failure = Failure(
                FailureKind.INTERRUPTED,
                "The stream ended without a finish reason: the answer may be cut short.",
            )
            self.status = Status.INTERRUPTED if has_output else Status.ERROR
        elif self.finish_reason in TRUNCATED_REASONS:
            self.status = Status.INCOMPLETE
        else:
            self.status = Status.COMPLETE

    # -- derived ----------------------------------------------------------------------------------
    @property
    def budget_exhausted(self) -> bool:
        """Reasoning ate the whole output budget and no answer came."""
        return self.finish_reason in {"length", "max_tokens"} and not self.answer.strip()

    @property
    def metrics(self) -> Metrics:
        u = self.usage or Usage()
        prompt = self.request.system_prompt + "".join(_text_of(m.get("content")) for m in self.request.messages)
        return compute(
            started=self.started,
            first_token=self.first_token,
            first_answer=self.first_answer,
            ended=self.ended,
            prompt_text=prompt,
            reasoning=self.reasoning,
            answer=self.answer,
            reported_input=u.input_tokens,
            reported_output=u.output_tokens,
            reported_reasoning=u.reasoning_tokens,
            price=self.price,
            streamed=self.request.params.stream,
        )

    def to_dict(self, include_reasoning: bool = True) -> dict:
        """A key-free, JSON-ready record (exports, manifests, the store)."""
        p = self.request.params
        return {
            "id": self.id,
            "started_at": self.started_at,
            "connection": self.connection_name,
            "model": self.model,
            "reasoning_effort": p.reasoning_effort,
            "temperature": p.temperature,
            "top_p": p.top_p,
            "max_tokens": p.max_tokens,
            "stream": p.stream,
            "system_prompt": self.request.system_prompt,
            "messages": list(self.request.messages),
            "reasoning": self.reasoning if include_reasoning else None,
            "answer": self.answer,
            "tool_calls": list(self.tool_calls.values()),
            "status": self.status.value,
            "finish_reason": self.finish_reason,
            "failure": None
            if self.failure is None
            else {"kind": self.failure.kind.value, "message": self.failure.message, "status": self.failure.status},
            "notices": list(self.notices),
            "metrics": self.metrics.as_dict(),
        }


def _text_of(content: object) -> str:
    """The text of a Chat Completions message content: a string, None, or a list of parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict) and isinstance(p.get("text"), str))
    return ""


def execute(provider, request: RunRequest, record: RunRecord, cancel: CancelToken | None = None) -> Iterator[Event]:
    """Drive `provider.stream`, recording every event into `record` and yielding it on.

    However the caller stops (Stop, rerun, navigating away: BaseExceptions in Streamlit, or the
    generator simply being closed), `finally:` closes the provider's stream (and with it the HTTP
    connection) and settles the record, so partial text is kept. A provider that raises (a bug:
    providers end with a Failure event instead) ends the run as a Failure too, not a crash."""
    cancel = cancel or CancelToken()
    stopped = True  # until the loop ends by itself: GeneratorExit and Streamlit's BaseExceptions
    events = provider.stream(request, cancel)
    apply = record.apply
    try:
        for event in events:
            apply(event)
            yield event
            if cancel.cancelled:
                break
        stopped = cancel.cancelled
    except Exception as exc:
        log.exception("provider %s raised instead of yielding a Failure", type(provider).__name__)
        stopped = False
        failure = Failure(
            FailureKind.INTERRUPTED, redact(f"Internal error while reading the answer: {type(exc).__name__}: {exc}")
        )
        apply(failure)
        yield failure
    finally:
        close = getattr(events, "close", None)
        if close is not None:
            close()
        record.close(stopped=stopped)
