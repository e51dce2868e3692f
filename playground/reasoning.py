"""One normaliser for every way hosts return gpt-oss chain of thought inside text.

Hosts that put reasoning in its own field (`delta.reasoning`, `reasoning_content`, `thinking`,
Converse `reasoningContent`) need no parsing: the providers turn those into ReasoningDelta
directly. This module handles the text-borne forms, streaming and not:

- `<reasoning>…</reasoning>` inside content (Bedrock `/openai/v1` and InvokeModel), where every
  streamed delta may be wrapped separately and a tag may be split across deltas at any character;
- raw harmony text from a server with no harmony parser:
  `<|channel|>analysis<|message|>…<|end|><|start|>assistant<|channel|>final<|message|>…<|return|>`,
  including tool calls (`<|channel|>commentary to=functions.NAME <|constrain|>json<|message|>{…}<|call|>`).

No tag or harmony token ever reaches the answer text: a trailing fragment that could still become
a marker is held back until the next delta decides it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from playground.events import ReasoningDelta, TextDelta, ToolCallDelta

OPEN_TAG, CLOSE_TAG = "<reasoning>", "</reasoning>"
START, END, MESSAGE, CHANNEL = "<|start|>", "<|end|>", "<|message|>", "<|channel|>"
CONSTRAIN, RETURN, CALL = "<|constrain|>", "<|return|>", "<|call|>"
MARKERS = (OPEN_TAG, CLOSE_TAG, START, END, MESSAGE, CHANNEL, CONSTRAIN, RETURN, CALL)
_LONGEST = max(map(len, MARKERS))
_MAX_HEADER = 300  # a header longer than this is not harmony: give it back as text
_RECIPIENT = re.compile(r"to=(\S+)")

REASONING, ANSWER, TOOL, DROP = "reasoning", "answer", "tool", "drop"
# Fields hosts put chain of thought in, beside `content`: vLLM/Ollama/OpenRouter, llama.cpp and
# older vLLM, Ollama native. Read as-is by every Chat Completions reader (SDK objects or dicts).
REASONING_FIELDS = ("reasoning", "reasoning_content", "thinking")


@dataclass(slots=True)
class Piece:
    kind: str  # REASONING, ANSWER or TOOL
    text: str
    tool_index: int = -1
    tool_name: str | None = None


class ContentNormaliser:
    """Feed content deltas in order; get back reasoning / answer / tool pieces."""

    def __init__(self) -> None:
        self._buf = ""
        self._mode = ANSWER  # where body text goes: REASONING, ANSWER, TOOL or DROP
        self._header: str | None = None  # collecting a harmony header when not None
        self._header_stage = ""  # "role", "channel" or "constrain"
        self._role_header = ""
        self._answer_started = False
        self._between_messages = False
        self._tool_index = -1
        self._tool_name: str | None = None
        self._channel_header = ""
        self._out: list[Piece] = []
        self._parts: list[str] = []  # text of the piece being built
        self._part_kind = ANSWER
        self._part_tool = -1
        self._part_name: str | None = None

    # -- public -------------------------------------------------------------------------------
    def feed(self, text: str) -> list[Piece]:
        if not text:
            return []
        if not self._buf and self._header is None and not self._between_messages and "<" not in text:
            # The common case (plain text, nothing held back): no scanning needed.
            self._emit(self._mode, text)
        else:
            self._buf += text
            self._scan(final=False)
        return self._take()

    def flush(self) -> list[Piece]:
        """End of content: give back whatever was held back as text."""
        self._scan(final=True)
        if self._header is not None:
            self._header = None  # an unterminated header is protocol noise, not answer text
        return self._take()

    # -- internals ------------------------------------------------------------------------------
    def _take(self) -> list[Piece]:
        self._close_piece()
        out, self._out = self._out, []
        return out

    def _scan(self, final: bool) -> None:
        buf = self._buf
        pos = 0
        while pos < len(buf):
            lt = buf.find("<", pos)
            if lt < 0:
                self._text(buf[pos:])
                pos = len(buf)
                break
            if lt > pos:
                self._text(buf[pos:lt])
                pos = lt
            marker = next((m for m in MARKERS if buf.startswith(m, pos)), None)
            if marker:
                self._marker(marker)
                pos += len(marker)
                continue
            if not final and len(buf) - pos < _LONGEST and any(m.startswith(buf[pos:]) for m in MARKERS):
                break  # could still become a marker: wait for the next delta
            self._text("<")
            pos += 1
        self._buf = buf[pos:]
        if final and self._buf:
            self._text(self._buf)
            self._buf = ""

    def _text(self, text: str) -> None:
        if not text:
            return
        if self._header is not None:
            self._header += text
            if len(self._header) > _MAX_HEADER:  # not a harmony header after all
                stray, self._header = self._header, None
                self._mode = ANSWER
                self._emit(ANSWER, stray)
            return
        if self._between_messages:
            if not text.strip():
                return
            self._between_messages = False
            self._mode = ANSWER
        self._emit(self._mode, text)

    def _emit(self, kind: str, text: str) -> None:
        if kind == DROP:
            return
        if kind == ANSWER and not self._answer_started:
            text = text.lstrip()
            if not text:
                return
            self._answer_started = True
        if self._parts and self._part_kind == kind and (kind != TOOL or self._part_tool == self._tool_index):
            self._parts.append(text)  # joined once in _close_piece: += on an attribute is quadratic
            return
        self._close_piece()
        self._part_kind, self._part_tool, self._part_name = kind, self._tool_index, self._tool_name
        self._parts = [text]

    def _close_piece(self) -> None:
        if self._parts:
            text = self._parts[0] if len(self._parts) == 1 else "".join(self._parts)
            if self._part_kind == TOOL:
                self._out.append(Piece(TOOL, text, self._part_tool, self._part_name))
            else:
                self._out.append(Piece(self._part_kind, text))
            self._parts = []

    def _marker(self, marker: str) -> None:
        if marker == OPEN_TAG:
            self._between_messages = False
            self._mode = REASONING
        elif marker == CLOSE_TAG:
            self._mode = ANSWER
        elif marker == START:
            self._begin_header("role")
        elif marker == CHANNEL:
            if self._header is not None and self._header_stage == "role":
                self._role_header = self._header
            self._begin_header("channel")
        elif marker == CONSTRAIN:
            if self._header is not None and self._header_stage == "channel":
                self._channel_header = self._header
            self._begin_header("constrain")
        elif marker == MESSAGE:
            self._open_body()
        else:  # END, RETURN, CALL close a harmony message
            self._header = None
            self._mode = DROP
            self._between_messages = True

    def _begin_header(self, stage: str) -> None:
        if stage == "role":
            self._role_header = ""
            self._channel_header = ""
        self._header = ""
        self._header_stage = stage
        self._between_messages = False

    def _open_body(self) -> None:
        header, stage = self._header or "", self._header_stage
        self._header = None
        if stage == "role":
            role, channel = header, ""
        elif stage == "channel":
            role, channel = self._role_header, header
        else:
            role, channel = self._role_header, getattr(self, "_channel_header", "")
        words = channel.split()
        name = words[0] if words else ""
        recipient = _RECIPIENT.search(f"{role} {channel}")
        if recipient:
            self._tool_index += 1
            self._tool_name = recipient.group(1).removeprefix("functions.")
            self._mode = TOOL
        elif name == "analysis":
            self._mode = REASONING
        else:  # final, commentary preambles, or no channel at all
            self._mode = ANSWER


def to_events(pieces: list[Piece]) -> list:
    """Engine events for normaliser pieces."""
    events: list = []
    for p in pieces:
        if p.kind == REASONING:
            events.append(ReasoningDelta(p.text))
        elif p.kind == ANSWER:
            events.append(TextDelta(p.text))
        else:
            events.append(ToolCallDelta(index=p.tool_index, name=p.tool_name, arguments=p.text))
    return events


def split_text(text: str) -> tuple[str, str]:
    """(reasoning, answer) of a whole non-streamed content string."""
    norm = ContentNormaliser()
    pieces = norm.feed(text) + norm.flush()
    reasoning = "".join(p.text for p in pieces if p.kind == REASONING)
    answer = "".join(p.text for p in pieces if p.kind == ANSWER)
    return reasoning, answer
