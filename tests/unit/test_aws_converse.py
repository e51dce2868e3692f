"""Bedrock Converse / ConverseStream against the loopback fake, parsed by boto3 for real."""

from __future__ import annotations

import gzip
import json
import threading
import time
from pathlib import Path

import botocore
import pytest

from playground.cancel import CancelToken
from playground.connections import Connection, Kind
from playground.events import Failure, FailureKind, Finish, Notice, ReasoningDelta, TextDelta, ToolCallDelta, Usage
from playground.providers.aws import ClientSettings, make_aws_provider
from playground.providers.aws.converse import NORMAL_STOPS, STOP_NOTICES, converse_messages
from playground.request import Params, RunRequest
from playground.runs import RunRecord, Status, execute
from tests.support.aws_fake import (
    AwsFake,
    collect,
    converse_events,
    converse_reply,
    converse_stream_reply,
    exception_event,
    of_type,
    stream_reply,
)

MODEL = "openai.gpt-oss-120b-1:0"


def provider(fake: AwsFake, **settings):
    conn = Connection("bedrock", Kind.BEDROCK_CONVERSE, region="us-west-2", endpoint_url=fake.url)
    return make_aws_provider(conn, ClientSettings(**settings) if settings else None)


def ask(text="hi", stream=True, model=MODEL, **params) -> RunRequest:
    return RunRequest(
        model, ({"role": "user", "content": text},), system_prompt="Be brief.", params=Params(stream=stream, **params)
    )


def test_stream_reasoning_text_tool_and_metadata(fake):
    tool = {"id": "tooluse_1", "name": "calculator", "input": ['{"expr":', ' "2+2"}']}
    fake.push(
        "converse-stream",
        converse_stream_reply(
            reasoning=["Let me ", "think."],
            text=["The answer", " is 4."],
            tools=[tool],
            stop_reason="tool_use",
            usage=(31, 57),
            latency_ms=812,
        ),
    )
    events = collect(provider(fake), ask("what is 2+2?", reasoning_effort="high", max_tokens=1000))

    assert [e.text for e in of_type(events, ReasoningDelta)] == ["Let me ", "think."]
    assert "".join(e.text for e in of_type(events, TextDelta)) == "The answer is 4."
    calls = of_type(events, ToolCallDelta)
    assert (calls[0].index, calls[0].id, calls[0].name) == (0, "tooluse_1", "calculator")
    assert {c.index for c in calls} == {0}
    assert "".join(c.arguments for c in calls) == '{"expr": "2+2"}'
    assert events[-2] == Usage(31, 57, None, 812.0, t=events[-2].t)
    assert events[-1].reason == "tool_use"
    assert not of_type(events, Notice) and not of_type(events, Failure)

    sent = fake.requests[-1]
    assert sent.path == f"/model/{MODEL}/converse-stream"
    assert sent.headers["authorization"].startswith("AWS4-HMAC-SHA256")
    assert sent.json() == {
        "messages": [{"role": "user", "content": [{"text": "what is 2+2?"}]}],
        "system": [{"text": "Be brief."}],
        "inferenceConfig": {"maxTokens": 1000, "temperature": 1.0, "topP": 1.0},
        "additionalModelRequestFields": {"reasoning_effort": "high"},
    }


def test_stray_reasoning_tags_in_text_deltas_become_reasoning(fake):
    fake.push("converse-stream", converse_stream_reply(text=["<reas", "oning>plan</reasoning>", "Answer"]))
    events = collect(provider(fake), ask())
    assert "".join(e.text for e in of_type(events, ReasoningDelta)) == "plan"
    assert "".join(e.text for e in of_type(events, TextDelta)) == "Answer"


@pytest.mark.parametrize(
    ("exception", "message", "kind"),
    [
        ("throttlingException", "Too many tokens, please wait.", FailureKind.THROTTLED),
        ("modelStreamErrorException", "The model stream broke.", FailureKind.SERVER_ERROR),
        ("internalServerException", "Internal error.", FailureKind.SERVER_ERROR),
        ("serviceUnavailableException", "Unavailable.", FailureKind.SERVER_ERROR),
        ("validationException", "Input is too long for requested model.", FailureKind.CONTEXT_TOO_LONG),
    ],
)
def test_exception_event_mid_stream_keeps_the_text(fake, exception, message, kind):
    frames = converse_events(reasoning=["hmm"], text=["Partial ", "answer"], stop_reason=None)
    fake.push("converse-stream", stream_reply([*frames, exception_event(exception, message)]))
    events = collect(provider(fake), ask())
    assert "".join(e.text for e in of_type(events, TextDelta)) == "Partial answer"
    assert isinstance(events[-1], Failure) and events[-1].kind == kind
    assert message in events[-1].message and "text so far is kept" in events[-1].message
    assert not of_type(events, Finish) and not of_type(events, Usage)
    assert len(fake.requests) == 1  # nothing is retried once tokens flowed


def test_half_a_tag_is_flushed_as_text_when_the_stream_breaks(fake):
    frames = converse_events(text=["Total: 3 <"], stop_reason=None)
    fake.push("converse-stream", stream_reply([*frames, exception_event("internalServerException", "boom")]))
    events = collect(provider(fake), ask())
    assert "".join(e.text for e in of_type(events, TextDelta)) == "Total: 3 <"


def _stop_reasons() -> list[str]:
    model = Path(botocore.__file__).parent / "data" / "bedrock-runtime" / "2023-09-30" / "service-2.json.gz"
    return json.loads(gzip.decompress(model.read_bytes()))["shapes"]["StopReason"]["enum"]


@pytest.mark.parametrize("stop", _stop_reasons())
def test_every_stop_reason_is_mapped(fake, stop):
    fake.push("converse-stream", converse_stream_reply(text=["x"], stop_reason=stop))
    request = ask(max_tokens=321)
    record = RunRecord(request)
    events = list(execute(provider(fake), request, record))
    assert isinstance(events[-1], Finish) and events[-1].reason == stop
    assert isinstance(events[-2], Usage)
    notices = of_type(events, Notice)
    if stop in NORMAL_STOPS:
        assert not notices
        assert record.status == Status.COMPLETE
    else:
        assert stop in STOP_NOTICES, "a new stop reason needs its own explanation"
        assert len(notices) == 1
        assert notices[0].text == STOP_NOTICES[stop].format(max_tokens=321, stop=stop)
    if stop == "max_tokens":
        assert "321" in notices[0].text and record.status == Status.INCOMPLETE


def test_stream_without_message_stop_is_a_failure(fake):
    fake.push("converse-stream", converse_stream_reply(text=["cut"], stop_reason=None))
    events = collect(provider(fake), ask())
    assert [type(e) for e in events] == [TextDelta, Failure]
    assert events[-1].kind == FailureKind.INTERRUPTED


def test_non_streaming_converse(fake):
    tool = {"id": "t9", "name": "lookup", "input": {"q": "gpt-oss"}}
    fake.push(
        "converse",
        converse_reply(
            reasoning="Thinking.", text="<reasoning>more</reasoning>Done.", tools=[tool], usage=(4, 6), latency_ms=99
        ),
    )
    events = collect(provider(fake), ask(stream=False))
    assert [e.text for e in of_type(events, ReasoningDelta)] == ["Thinking.", "more"]
    assert [e.text for e in of_type(events, TextDelta)] == ["Done."]
    (call,) = of_type(events, ToolCallDelta)
    assert (call.id, call.name, json.loads(call.arguments)) == ("t9", "lookup", {"q": "gpt-oss"})
    assert (events[-2].input_tokens, events[-2].output_tokens, events[-2].host_latency_ms) == (4, 6, 99.0)
    assert events[-1] == Finish("end_turn", t=events[-1].t)
    assert fake.requests[-1].path == f"/model/{MODEL}/converse"


def test_effort_only_for_reasoning_models_and_blank_system_omitted(fake):
    request = RunRequest(
        "meta.llama3-8b-instruct-v1:0", ({"role": "user", "content": "hi"},), params=Params(top_p=None)
    )
    collect(provider(fake), request)
    body = fake.requests[-1].json()
    assert "additionalModelRequestFields" not in body and "system" not in body
    assert body["inferenceConfig"] == {"maxTokens": 4096, "temperature": 1.0}


def test_history_drops_reasoning_merges_turns_and_starts_with_user():
    history = [
        {"role": "assistant", "content": "Hello! How can I help?"},
        {"role": "user", "content": "first"},
        {"role": "user", "content": [{"type": "text", "text": "second"}]},
        {"role": "assistant", "content": "<reasoning>secret plan</reasoning>Visible answer"},
        {"role": "assistant", "content": "   "},
        {"role": "user", "content": "again"},
    ]
    assert converse_messages(history) == [
        {"role": "user", "content": [{"text": "first"}, {"text": "second"}]},
        {"role": "assistant", "content": [{"text": "Visible answer"}]},
        {"role": "user", "content": [{"text": "again"}]},
    ]


def test_cancel_mid_stream_returns_promptly_and_closes_the_stream(fake):
    frames = converse_events(text=["Hello", " there"])
    fake.push("converse-stream", stream_reply(frames, stall_after=3, stall_s=5))
    token = CancelToken()
    seen = []
    started = time.perf_counter()
    for event in provider(fake).stream(ask(), token):
        seen.append(event)
        token.cancel()  # the user presses Stop after the first token
    assert time.perf_counter() - started < 2
    assert [e.text for e in of_type(seen, TextDelta)] == ["Hello"]
    _assert_workers_gone()


def test_closing_the_generator_early_winds_the_worker_down(fake):
    fake.push("converse-stream", stream_reply(converse_events(text=["a", "b"]), stall_after=3, stall_s=5))
    stream = provider(fake).stream(ask())
    assert isinstance(next(stream), TextDelta)
    stream.close()  # what Streamlit's Stop/rerun does to the generator, without cancelling any token
    _assert_workers_gone()


def _assert_workers_gone(within_s: float = 2.0) -> None:
    deadline = time.monotonic() + within_s
    while any(t.name == "aws-stream" for t in threading.enumerate()):
        assert time.monotonic() < deadline, "the worker thread is still blocked on the stalled stream"
        time.sleep(0.02)


def test_endpoint_from_standard_env_var(fake, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", fake.url)
    monkeypatch.setenv("AWS_REGION", "eu-north-1")
    conn = Connection("bedrock", Kind.BEDROCK_CONVERSE)
    events = collect(make_aws_provider(conn), ask())
    assert isinstance(events[-1], Finish)
    assert "/eu-north-1/bedrock/aws4_request" in fake.requests[-1].headers["authorization"]


def test_a_run_cancelled_before_it_starts_makes_no_call(fake):
    token = CancelToken()
    token.cancel()
    assert collect(provider(fake), ask(), token) == []
    assert not fake.requests
