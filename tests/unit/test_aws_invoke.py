"""Bedrock InvokeModel / InvokeModelWithResponseStream with Chat Completions bodies."""

from __future__ import annotations

from playground.connections import Connection, Kind
from playground.events import Failure, FailureKind, Finish, ReasoningDelta, TextDelta, ToolCallDelta, Usage
from playground.providers.aws import make_aws_provider
from playground.request import Params, RunRequest
from tests.support.aws_fake import (
    AwsFake,
    Reply,
    chat_completion,
    chunk_event,
    collect,
    completion_chunk,
    event,
    exception_event,
    json_reply,
    of_type,
    stream_reply,
)

MODEL = "openai.gpt-oss-20b-1:0"
METRICS = {"inputTokenCount": 12, "outputTokenCount": 34, "invocationLatency": 567, "firstByteLatency": 89}


def provider(fake: AwsFake):
    return make_aws_provider(Connection("invoke", Kind.BEDROCK_INVOKE, region="us-east-1", endpoint_url=fake.url))


def ask(stream=True, **params) -> RunRequest:
    return RunRequest(
        MODEL, ({"role": "user", "content": "2+2?"},), system_prompt="sys", params=Params(stream=stream, **params)
    )


def test_stream_reasoning_tags_per_delta_and_invocation_metrics(fake):
    chunks = [
        completion_chunk("<reasoning>Add the</reasoning>"),
        completion_chunk("<reasoning> numbers.</reasoning>"),
        completion_chunk("It is "),
        completion_chunk("4."),
        completion_chunk(finish="stop", **{"amazon-bedrock-invocationMetrics": METRICS}),
    ]
    fake.push("invoke-with-response-stream", stream_reply([chunk_event(c) for c in chunks]))
    events = collect(provider(fake), ask(reasoning_effort="low"))

    assert "".join(e.text for e in of_type(events, ReasoningDelta)) == "Add the numbers."
    assert "".join(e.text for e in of_type(events, TextDelta)) == "It is 4."
    usage, finish = events[-2:]
    assert (usage.input_tokens, usage.output_tokens, usage.host_latency_ms) == (12, 34, 567.0)
    assert finish == Finish("stop", t=finish.t)

    sent = fake.requests[-1]
    assert sent.path == f"/model/{MODEL}/invoke-with-response-stream"
    assert sent.headers["content-type"] == "application/json"
    body = sent.json()
    assert "model" not in body and "stream" not in body and "stream_options" not in body
    assert body == {
        "messages": [{"role": "system", "content": "sys"}, {"role": "user", "content": "2+2?"}],
        "max_tokens": 4096,
        "temperature": 1.0,
        "top_p": 1.0,
        "reasoning_effort": "low",
    }


def test_stream_reasoning_field_and_tool_call_in_pieces(fake):
    call_start = [
        {
            "index": 0,
            "id": "chatcmpl-tool-ab12",
            "type": "function",
            "function": {"name": "calculator", "arguments": ""},
        }
    ]
    call_more = [{"index": 0, "function": {"arguments": '{"expression": "2+2"}'}}]
    chunks = [
        completion_chunk(reasoning="Use the tool."),
        completion_chunk(tool_calls=call_start),
        completion_chunk(tool_calls=call_more),
        completion_chunk(finish="tool_calls", usage={"prompt_tokens": 5, "completion_tokens": 6}),
    ]
    fake.push("invoke-with-response-stream", stream_reply([chunk_event(c) for c in chunks]))
    events = collect(provider(fake), ask())
    assert [e.text for e in of_type(events, ReasoningDelta)] == ["Use the tool."]
    calls = of_type(events, ToolCallDelta)
    assert calls[0].id == "chatcmpl-tool-ab12" and calls[0].name == "calculator"
    assert "".join(c.arguments for c in calls) == '{"expression": "2+2"}'
    assert (events[-2].input_tokens, events[-2].output_tokens) == (5, 6)
    assert events[-1].reason == "tool_calls"


def test_non_streaming_usage_from_headers(fake):
    body = chat_completion("<reasoning>Easy.</reasoning>Four.", finish="stop")
    del body["usage"]
    headers = {
        "x-amzn-bedrock-input-token-count": "21",
        "x-amzn-bedrock-output-token-count": "8",
        "x-amzn-bedrock-invocation-latency": "432",
    }
    fake.push("invoke", json_reply(body, headers=headers))
    events = collect(provider(fake), ask(stream=False))
    assert [type(e) for e in events] == [ReasoningDelta, TextDelta, Usage, Finish]
    assert (events[0].text, events[1].text) == ("Easy.", "Four.")
    assert (events[2].input_tokens, events[2].output_tokens, events[2].host_latency_ms) == (21, 8, 432)
    assert fake.requests[-1].path == f"/model/{MODEL}/invoke"
    assert "stream" not in fake.requests[-1].json()


def test_non_streaming_body_usage_wins_and_header_latency_fills_in(fake):
    headers = {"x-amzn-bedrock-input-token-count": "999", "x-amzn-bedrock-invocation-latency": "77"}
    fake.push("invoke", json_reply(chat_completion("Hi", usage=(3, 2)), headers=headers))
    usage = of_type(collect(provider(fake), ask(stream=False)), Usage)[0]
    assert (usage.input_tokens, usage.output_tokens, usage.host_latency_ms) == (3, 2, 77)


def test_non_json_chunk_mid_stream_keeps_text(fake):
    bad = event("chunk", {"bytes": "PGh0bWw+"})  # base64 of "<html>"
    fake.push("invoke-with-response-stream", stream_reply([chunk_event(completion_chunk("Partial")), bad]))
    events = collect(provider(fake), ask())
    assert [type(e) for e in events] == [TextDelta, Failure]
    assert events[-1].kind == FailureKind.INTERRUPTED and "not JSON" in events[-1].message


def test_error_object_in_a_chunk_is_a_failure(fake):
    err = {"error": {"message": "This model's maximum context length is 131072 tokens."}}
    fake.push("invoke-with-response-stream", stream_reply([chunk_event(completion_chunk("a")), chunk_event(err)]))
    events = collect(provider(fake), ask())
    assert events[0] == TextDelta("a", t=events[0].t)
    assert events[-1].kind == FailureKind.CONTEXT_TOO_LONG


def test_model_stream_error_event_keeps_text(fake):
    frames = [
        chunk_event(completion_chunk("Half")),
        exception_event("modelStreamErrorException", "Model broke", originalStatusCode=500),
    ]
    fake.push("invoke-with-response-stream", stream_reply(frames))
    events = collect(provider(fake), ask())
    assert events[0].text == "Half"
    assert events[-1].kind == FailureKind.SERVER_ERROR and "Model broke" in events[-1].message


def test_stream_without_finish_reason_is_interrupted(fake):
    fake.push("invoke-with-response-stream", stream_reply([chunk_event(completion_chunk("cut"))]))
    events = collect(provider(fake), ask())
    assert events[-1].kind == FailureKind.INTERRUPTED and not of_type(events, Finish)


def test_non_streaming_html_is_not_chat_completions(fake):
    fake.push("invoke", Reply(200, {"Content-Type": "text/html"}, b"<html><title>Proxy</title></html>"))
    events = collect(provider(fake), ask(stream=False))
    assert [e.kind for e in events] == [FailureKind.NOT_OPENAI_COMPATIBLE]
