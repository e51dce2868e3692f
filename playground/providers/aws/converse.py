"""Bedrock Converse / ConverseStream: content blocks in, reasoning / text / toolUse blocks out."""

from __future__ import annotations

import json
from collections.abc import Iterator

from playground.events import Event, Failure, FailureKind, Finish, Notice, ReasoningDelta, ToolCallDelta, Usage, now
from playground.models import takes_reasoning_effort
from playground.providers.aws.base import AwsProvider, Reader
from playground.reasoning import ContentNormaliser, split_text, to_events
from playground.request import RunRequest

NORMAL_STOPS = {"end_turn", "tool_use", "stop_sequence"}
STOP_NOTICES = {
    "max_tokens": "The answer hit the max output tokens limit ({max_tokens:,}) and was cut off: raise Max output tokens and run again.",
    "model_context_window_exceeded": "The conversation filled the model's context window and the answer was cut off: clear or shorten the conversation.",
    "guardrail_intervened": "A Bedrock guardrail intervened and stopped the answer.",
    "content_filtered": "Bedrock's content filter stopped the answer.",
    "malformed_model_output": "The model produced output Bedrock could not parse (malformed_model_output): run it again.",
    "malformed_tool_use": "The model produced a malformed tool call (malformed_tool_use): run it again.",
}


def _text_of(content) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # Chat Completions content parts
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return "" if content is None else str(content)


def converse_messages(messages: tuple[dict, ...] | list[dict]) -> list[dict]:
    """Chat Completions messages → Converse messages.

    Earlier reasoning is dropped, never sent back as a `reasoningContent` block: Converse rejects
    one with a `signature` key, and gpt-oss does not need its old chains of thought. Converse wants
    user/assistant turns that alternate and start with the user, so same-role turns are merged and
    a leading assistant turn is dropped; other roles (tool results) travel as user text."""
    out: list[dict] = []
    for m in messages:
        role = "assistant" if m.get("role") == "assistant" else "user"
        text = _text_of(m.get("content"))
        if role == "assistant" and "<" in text:
            text = split_text(text)[1]
        if m.get("role") not in ("user", "assistant", None) and text:
            text = f"[{m['role']}] {text}"
        if not text.strip():  # Converse rejects blank text blocks
            continue
        if out and out[-1]["role"] == role:
            out[-1]["content"].append({"text": text})
        elif out or role == "user":
            out.append({"role": role, "content": [{"text": text}]})
    return out


def converse_kwargs(request: RunRequest) -> dict:
    """The Converse / ConverseStream arguments for a request (also what "View code" can show)."""
    p = request.params
    kwargs: dict = {"modelId": request.model, "messages": converse_messages(request.messages)}
    if request.system_prompt.strip():
        kwargs["system"] = [{"text": request.system_prompt}]
    inference: dict = {"maxTokens": p.max_tokens}
    if p.temperature is not None:
        inference["temperature"] = p.temperature
    if p.top_p is not None:
        inference["topP"] = p.top_p
    kwargs["inferenceConfig"] = inference
    if p.reasoning_effort and takes_reasoning_effort(request.model):
        # Flat, as gpt-oss takes it; the nested `reasoning: {effort}` form is for other families.
        kwargs["additionalModelRequestFields"] = {"reasoning_effort": p.reasoning_effort}
    return kwargs


def _usage(usage: dict | None, metrics: dict | None) -> Usage | None:
    if not usage and not metrics:
        return None
    usage, metrics = usage or {}, metrics or {}
    latency = metrics.get("latencyMs")
    return Usage(
        input_tokens=usage.get("inputTokens"),
        output_tokens=usage.get("outputTokens"),
        host_latency_ms=float(latency) if latency is not None else None,
    )


def _closing(stop: str, usage: Usage | None, request: RunRequest) -> list[Event]:
    events: list[Event] = []
    if stop not in NORMAL_STOPS:
        template = STOP_NOTICES.get(stop, "Bedrock stopped the answer early ({stop}).")
        events.append(Notice(template.format(max_tokens=request.params.max_tokens, stop=stop)))
    if usage is not None:
        events.append(usage)
    events.append(Finish(stop))
    return events


class ConverseStreamReader(Reader):
    def __init__(self, request: RunRequest) -> None:
        self.request = request
        self.normaliser = ContentNormaliser()  # gpt-oss text has been seen carrying <reasoning> tags
        self.tools: dict[int, int] = {}  # contentBlockIndex → tool call number
        self.stop: str | None = None
        self.usage: Usage | None = None

    def _tool(self, block: int) -> int:
        return self.tools.setdefault(block, len(self.tools))

    def read(self, response: dict) -> Iterator[Event]:
        for item in response["stream"]:
            if "contentBlockStart" in item:
                start = item["contentBlockStart"]
                tool = (start.get("start") or {}).get("toolUse")
                if tool:
                    index = self._tool(start.get("contentBlockIndex", 0))
                    yield ToolCallDelta(index=index, id=tool.get("toolUseId"), name=tool.get("name"))
            elif "contentBlockDelta" in item:
                block = item["contentBlockDelta"]
                delta = block.get("delta") or {}
                if (delta.get("reasoningContent") or {}).get("text"):
                    yield ReasoningDelta(delta["reasoningContent"]["text"])
                if delta.get("text"):
                    yield from to_events(self.normaliser.feed(delta["text"]))
                if "toolUse" in delta:
                    index = self._tool(block.get("contentBlockIndex", 0))
                    yield ToolCallDelta(index=index, arguments=delta["toolUse"].get("input") or "")
            elif "messageStop" in item:
                self.stop = item["messageStop"].get("stopReason") or "end_turn"
            elif "metadata" in item:
                self.usage = _usage(item["metadata"].get("usage"), item["metadata"].get("metrics"))
        yield from self.flush()
        if self.stop is None:
            yield Failure(
                FailureKind.INTERRUPTED, "The stream ended before Bedrock's messageStop: the answer may be cut short."
            )
            return
        yield from _closing(self.stop, self.usage, self.request)

    def flush(self) -> list[Event]:
        return to_events(self.normaliser.flush())


class ConverseReader(Reader):
    def __init__(self, request: RunRequest) -> None:
        self.request = request

    def read(self, response: dict) -> Iterator[Event]:
        t = now()
        content = ((response.get("output") or {}).get("message") or {}).get("content") or []
        normaliser = ContentNormaliser()
        tools = 0
        for block in content:
            text = ((block.get("reasoningContent") or {}).get("reasoningText") or {}).get("text")
            if text:
                yield ReasoningDelta(text, t=t)
            if block.get("text"):
                yield from to_events(normaliser.feed(block["text"]) + normaliser.flush())
            if "toolUse" in block:
                use = block["toolUse"]
                args = use.get("input")
                args = args if isinstance(args, str) else json.dumps(args if args is not None else {})
                yield ToolCallDelta(index=tools, id=use.get("toolUseId"), name=use.get("name"), arguments=args, t=t)
                tools += 1
        usage = _usage(response.get("usage"), response.get("metrics"))
        yield from _closing(response.get("stopReason") or "end_turn", usage, self.request)


class ConverseProvider(AwsProvider):
    service = "bedrock-runtime"

    def call(self, request: RunRequest) -> dict:
        kwargs = converse_kwargs(request)
        if request.params.stream:
            return self.client.converse_stream(**kwargs)
        return self.client.converse(**kwargs)

    def reader(self, request: RunRequest) -> Reader:
        return ConverseStreamReader(request) if request.params.stream else ConverseReader(request)
