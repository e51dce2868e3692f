"""The OpenAI-compatible provider against the loopback fake, through the real openai SDK."""

from __future__ import annotations

import pytest

from playground.events import Failure, Finish, ReasoningDelta, TextDelta, ToolCallDelta, Usage
from playground.models import fallback_ids
from playground.providers.openai_compat import OpenAICompatProvider, build_kwargs
from playground.request import Params, RunRequest
from playground.runs import RunRecord, Status, execute
from playground.secrets import Secret
from tests.support.openai_fake import DIALECTS, FakeOpenAIServer, Reply

MODEL = "openai.gpt-oss-20b-1:0"
REASONING = "The user greets me. I should greet back: a < b is fine."
ANSWER = "Hello! How can <b>I</b> help?"


def make_request(model: str = MODEL, *, stream: bool = True, system: str = "", **params) -> RunRequest:
    return RunRequest(model, ({"role": "user", "content": "Hi"},), system, Params(stream=stream, **params))


def run(server: FakeOpenAIServer, reply: Reply | None = None, *, provider=None, **request_kw):
    if reply is not None:
        server.queue(reply)
    provider = provider or OpenAICompatProvider(server.url, read_timeout_s=10)
    request = make_request(**request_kw)
    record = RunRecord(request)
    events = list(execute(provider, request, record))
    return events, record


def header(recorded: dict, name: str) -> str | None:
    return next((v for k, v in recorded["headers"].items() if k.lower() == name.lower()), None)


def kinds(events) -> list[str]:
    """Event type names with runs of the same type collapsed."""
    out: list[str] = []
    for e in events:
        name = type(e).__name__
        if not out or out[-1] != name:
            out.append(name)
    return out


def text_of(events, cls) -> str:
    return "".join(e.text for e in events if isinstance(e, cls))


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "whole"])
@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_dialect(openai_fake, dialect, stream):
    events, record = run(openai_fake, Reply(reasoning=REASONING, answer=ANSWER, dialect=dialect), stream=stream)
    expected_reasoning = "" if dialect == "plain" else REASONING
    assert text_of(events, ReasoningDelta) == expected_reasoning
    assert text_of(events, TextDelta) == ANSWER
    head = ["ReasoningDelta"] if expected_reasoning else []
    assert kinds(events) == [*head, "TextDelta", "Usage", "Finish"]
    usage = next(e for e in events if isinstance(e, Usage))
    assert (usage.input_tokens, usage.output_tokens, usage.reasoning_tokens) == (12, 20, None)
    assert events[-1] == Finish("stop", t=events[-1].t)
    assert record.status is Status.COMPLETE and record.failure is None
    assert (record.reasoning, record.answer) == (expected_reasoning, ANSWER)
    if stream:  # really streamed: one delta per word
        assert sum(isinstance(e, TextDelta) for e in events) == len(ANSWER.split(" "))
    assert openai_fake.streams_closed()


def test_bedrock_wrapped_reasoning_deltas_each_become_reasoning(openai_fake):
    events, _ = run(openai_fake, Reply(reasoning="one two three", answer="ok", dialect="bedrock"))
    assert [e.text for e in events if isinstance(e, ReasoningDelta)] == ["one ", "two ", "three"]


@pytest.mark.parametrize("pieces", [1, 3, 7, 50])
@pytest.mark.parametrize("dialect", ["tags", "harmony", "bedrock"])
def test_text_borne_dialects_split_into_arbitrary_pieces(openai_fake, dialect, pieces):
    reply = Reply(reasoning=REASONING, answer=ANSWER, dialect=dialect, pieces=pieces)
    _events, record = run(openai_fake, reply)
    assert (record.reasoning, record.answer) == (REASONING, ANSWER)
    assert not any(m in record.answer for m in ("<reasoning>", "</reasoning>", "<|", "|>"))


@pytest.mark.parametrize(
    "model, sent",
    [
        ("openai.gpt-oss-120b-1:0", True),
        ("openai.gpt-oss-20b", True),
        ("gpt-oss:20b", True),
        ("openai-reasoning-gpt-oss-120b", True),
        ("llama3.1:8b", False),
        ("qwen2.5-coder", False),
    ],
)
def test_reasoning_effort_sent_only_for_models_that_take_it(openai_fake, model, sent):
    run(openai_fake, Reply(), model=model, reasoning_effort="high")
    body = openai_fake.requests[-1]["body"]
    assert body["model"] == model
    assert ("reasoning_effort" in body) is sent
    if sent:
        assert body["reasoning_effort"] == "high"


def test_no_effort_chosen_sends_none(openai_fake):
    run(openai_fake, Reply(), reasoning_effort=None)
    assert "reasoning_effort" not in openai_fake.requests[-1]["body"]


def test_request_body_streaming_and_not(openai_fake):
    run(openai_fake, Reply(), system="Be brief.", max_tokens=123, temperature=0.5, top_p=None)
    body = openai_fake.requests[-1]["body"]
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert body["messages"] == [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]
    assert body["max_tokens"] == 123 and body["temperature"] == 0.5 and "top_p" not in body
    assert openai_fake.requests[-1]["path"] == "/v1/chat/completions"

    run(openai_fake, Reply(), stream=False)
    body = openai_fake.requests[-1]["body"]
    assert "stream_options" not in body and not body.get("stream")
    assert build_kwargs(make_request(stream=False))["model"] == MODEL


def test_key_sent_as_bearer_and_placeholder_without_key(openai_fake):
    run(openai_fake, Reply(), provider=OpenAICompatProvider(openai_fake.url, Secret("sk-live-abcdef1234567890")))
    assert header(openai_fake.requests[-1], "Authorization") == "Bearer sk-live-abcdef1234567890"
    run(openai_fake, Reply())
    assert header(openai_fake.requests[-1], "Authorization") == "Bearer not-needed"


def test_host_ignoring_include_usage_gives_no_usage_and_estimates(openai_fake):
    events, record = run(openai_fake, Reply(usage=None, answer="one two three four"))
    assert not any(isinstance(e, Usage) for e in events)
    assert record.status is Status.COMPLETE
    m = record.metrics
    assert m.output_estimated and m.input_estimated and m.answer_tokens == 4  # 18 chars / 4


def test_reported_reasoning_tokens_are_passed_on(openai_fake):
    usage = {
        "prompt_tokens": 5,
        "completion_tokens": 30,
        "total_tokens": 35,
        "completion_tokens_details": {"reasoning_tokens": 22},
    }
    for stream in (True, False):
        events, record = run(openai_fake, Reply(usage=usage), stream=stream)
        u = next(e for e in events if isinstance(e, Usage))
        assert (u.input_tokens, u.output_tokens, u.reasoning_tokens) == (5, 30, 22)
        assert (record.metrics.reasoning_tokens, record.metrics.answer_tokens) == (22, 8)
        assert not record.metrics.split_estimated


def test_bedrock_usage_without_details(openai_fake):
    usage = {"prompt_tokens": 9, "completion_tokens": 40, "total_tokens": 49, "completion_tokens_details": None}
    events, record = run(openai_fake, Reply(usage=usage, dialect="bedrock"))
    u = next(e for e in events if isinstance(e, Usage))
    assert (u.input_tokens, u.output_tokens, u.reasoning_tokens) == (9, 40, None)
    m = record.metrics
    assert m.output_tokens == 40 and m.split_estimated and not m.output_estimated


def test_total_only_usage_gives_output_from_total(openai_fake):
    events, _ = run(openai_fake, Reply(usage={"prompt_tokens": 9, "total_tokens": 49}))
    u = next(e for e in events if isinstance(e, Usage))
    assert (u.input_tokens, u.output_tokens) == (9, 40)


def test_list_models_from_get_models(openai_fake):
    openai_fake.models = ["zeta", "gpt-oss:20b", "alpha"]
    assert OpenAICompatProvider(openai_fake.url).list_models() == ["alpha", "gpt-oss:20b", "zeta"]
    assert openai_fake.requests[-1]["method"] == "GET" and openai_fake.requests[-1]["path"] == "/v1/models"


def test_list_models_falls_back_on_404_html():
    with FakeOpenAIServer(models_status=404) as server:
        assert OpenAICompatProvider(server.url).list_models() == fallback_ids(server.url)
        assert server.requests[-1]["path"] == "/v1/models"


def test_list_models_empty_list_falls_back(openai_fake):
    openai_fake.models = []
    assert OpenAICompatProvider(openai_fake.url).list_models() == fallback_ids(openai_fake.url)


def test_tool_call_streamed_in_pieces(openai_fake):
    args = '{"city": "Paris", "unit": "celsius", "days": 3}'
    calls = [
        {"id": "chatcmpl-tool-0a1b", "name": "get_weather", "arguments": args},
        {"id": "chatcmpl-tool-2c3d", "name": "add", "arguments": '{"a": 1, "b": 2}'},
    ]
    reply = Reply(answer="", tool_calls=calls, tool_call_pieces=6, finish_reason="tool_calls")
    events, record = run(openai_fake, reply)
    deltas = [e for e in events if isinstance(e, ToolCallDelta)]
    assert len(deltas) == 12
    assert [d.index for d in deltas] == [0] * 6 + [1] * 6
    assert deltas[0].id == "chatcmpl-tool-0a1b" and deltas[0].name == "get_weather"
    assert all(d.id is None and d.name is None for d in deltas[1:6])
    assert record.tool_calls == {
        0: {"id": "chatcmpl-tool-0a1b", "name": "get_weather", "arguments": args},
        1: {"id": "chatcmpl-tool-2c3d", "name": "add", "arguments": '{"a": 1, "b": 2}'},
    }
    assert record.finish_reason == "tool_calls" and record.status is Status.COMPLETE
    assert record.answer == ""


def test_tool_call_whole(openai_fake):
    calls = [{"id": "call_1", "name": "get_weather", "arguments": '{"city": "Oslo"}'}]
    _, record = run(openai_fake, Reply(answer="", tool_calls=calls, finish_reason="tool_calls"), stream=False)
    assert record.tool_calls == {0: {"id": "call_1", "name": "get_weather", "arguments": '{"city": "Oslo"}'}}
    assert record.finish_reason == "tool_calls"


def test_raw_harmony_tool_call_in_content(openai_fake):
    raw = (
        "<|channel|>analysis<|message|>Need weather.<|end|><|start|>assistant<|channel|>commentary "
        'to=functions.get_weather <|constrain|>json<|message|>{"city": "Paris"}<|call|>'
    )
    reply = Reply(dialect="plain", reasoning="", answer=raw, pieces=9, finish_reason="tool_calls")
    _, record = run(openai_fake, reply)
    assert record.reasoning == "Need weather."
    assert record.answer == ""
    assert record.tool_calls == {0: {"id": None, "name": "get_weather", "arguments": '{"city": "Paris"}'}}


def test_events_carry_increasing_timestamps(openai_fake):
    events, record = run(openai_fake, Reply(delay_s=0.001))
    ts = [e.t for e in events]
    assert ts == sorted(ts)
    assert record.started <= record.first_token <= record.first_answer <= record.ended


def test_length_finish_is_incomplete_and_budget_exhausted(openai_fake):
    _, record = run(openai_fake, Reply(answer="", finish_reason="length"))
    assert record.status is Status.INCOMPLETE and record.budget_exhausted
    assert record.reasoning and record.failure is None


def test_failure_events_never_raise(openai_fake):
    # A provider ends with a Failure event, never an exception, whatever the host does.
    provider = OpenAICompatProvider(openai_fake.url, max_retries=0)
    openai_fake.queue(Reply(status=500, body='{"error": {"message": "boom"}}'))
    events = list(provider.stream(make_request()))
    assert len(events) == 1 and isinstance(events[0], Failure)
