"""The stream vocabulary every provider yields.

Pure value types, one per kind of thing a host can tell us while it answers. Each carries `t`, the
`time.perf_counter()` at which the engine saw it, so metrics are computed once from timestamps
(see `runs.py`). What this module deliberately is not: no wire formats (those live in
`providers/`), no rendering, no storage.
"""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass, field


def now() -> float:
    return time.perf_counter()


@dataclass(frozen=True, slots=True)
class ReasoningDelta:
    """A piece of the model's chain of thought."""

    text: str
    t: float = field(default_factory=now)


@dataclass(frozen=True, slots=True)
class TextDelta:
    """A piece of the answer shown to the user."""

    text: str
    t: float = field(default_factory=now)


@dataclass(frozen=True, slots=True)
class ToolCallDelta:
    """A piece of a tool call; pieces with the same `index` belong to one call."""

    index: int
    id: str | None = None
    name: str | None = None
    arguments: str = ""
    t: float = field(default_factory=now)


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts reported by the host (None where it did not say)."""

    input_tokens: int | None = None
    output_tokens: int | None = None
    reasoning_tokens: int | None = None
    host_latency_ms: float | None = None
    t: float = field(default_factory=now)


@dataclass(frozen=True, slots=True)
class Finish:
    """The host ended the answer; `reason` is its own word (stop, length, end_turn, ...)."""

    reason: str
    t: float = field(default_factory=now)


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the user should see while the run goes on, e.g. "throttled, retrying in 2 s"."""

    text: str
    t: float = field(default_factory=now)


class FailureKind(enum.StrEnum):
    AUTH = "auth"
    PERMISSION = "permission"
    NOT_FOUND = "not_found"
    THROTTLED = "throttled"
    CONTEXT_TOO_LONG = "context_too_long"
    BAD_REQUEST = "bad_request"
    SERVER_ERROR = "server_error"
    CONNECTION = "connection"
    TIMEOUT = "timeout"
    NOT_OPENAI_COMPATIBLE = "not_openai_compatible"
    INTERRUPTED = "interrupted"


FAILURE_TITLES: dict[FailureKind, str] = {
    FailureKind.AUTH: "Authentication failed",
    FailureKind.PERMISSION: "Permission denied",
    FailureKind.NOT_FOUND: "Not found",
    FailureKind.THROTTLED: "Throttled",
    FailureKind.CONTEXT_TOO_LONG: "Context too long",
    FailureKind.BAD_REQUEST: "Request rejected",
    FailureKind.SERVER_ERROR: "Server error",
    FailureKind.CONNECTION: "Cannot connect",
    FailureKind.TIMEOUT: "Timed out",
    FailureKind.NOT_OPENAI_COMPATIBLE: "Not an OpenAI-compatible endpoint",
    FailureKind.INTERRUPTED: "Stream interrupted",
}


@dataclass(frozen=True, slots=True)
class Failure:
    """The run cannot go on. `message` is safe to show (keys redacted), host text included."""

    kind: FailureKind
    message: str
    status: int | None = None
    t: float = field(default_factory=now)

    @property
    def title(self) -> str:
        return FAILURE_TITLES[self.kind]


Event = ReasoningDelta | TextDelta | ToolCallDelta | Usage | Finish | Notice | Failure
