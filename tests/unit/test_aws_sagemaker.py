"""SageMaker endpoints: SSE reassembled from PayloadParts cut at any byte, and plain JSON answers."""

from __future__ import annotations

import json

from playground.connections import Connection, Kind
from playground.events import Failure, FailureKind, Finish, ReasoningDelta, TextDelta, Usage
from playground.providers.aws import make_aws_provider
from playground.request import Params, RunRequest
from tests.support.aws_fake import (
    AwsFake,
    chat_completion,
    collect,
    completion_chunk,
    exception_event,
    json_reply,
    of_type,
    payload_parts,
    sse,
    stream_reply,
)

ENDPOINT = "gpt-oss-20b-ep"
# Short on purpose (every cut is a request), with 2-, 3- and 4-byte UTF-8 characters.
STREAM = sse(
    completion_chunk(reasoning="Só"),
    completion_chunk("日本🙂"),
    completion_chunk(finish="stop", usage={"prompt_tokens": 3, "completion_tokens": 4}),
)


def provider(fake: AwsFake, endpoint_name: str | None = None):
    conn = Connection("sm", Kind.SAGEMAKER, region="us-west-2", endpoint_url=fake.url, endpoint_name=endpoint_name)
    return make_aws_provider(conn)


def ask(stream=True, model=ENDPOINT) -> RunRequest:
    return RunRequest(model, ({"role": "user", "content": "hi"},), params=Params(stream=stream))


def _summary(events: list) -> tuple:
    return (
        "".join(e.text for e in of_type(events, ReasoningDelta)),
        "".join(e.text for e in of_type(events, TextDelta)),
        [(u.input_tokens, u.output_tokens) for u in of_type(events, Usage)],
        [type(e).__name__ for e in events[-2:]],
        of_type(events, Failure),
    )


EXPECTED = ("Só", "日本🙂", [(3, 4)], ["Usage", "Finish"], [])


def test_parts_split_at_every_offset(fake):
    p = provider(fake)
    for cut in range(1, len(STREAM)):
        fake.push("invocations-response-stream", stream_reply(payload_parts(STREAM, [cut])))
        assert _summary(collect(p, ask())) == EXPECTED, f"cut at byte {cut}"


def test_one_byte_per_part(fake):
    fake.push("invocations-response-stream", stream_reply(payload_parts(STREAM, list(range(1, len(STREAM))))))
    assert _summary(collect(provider(fake), ask())) == EXPECTED


def test_request_shape_and_path(fake):
    collect(provider(fake), ask())
    sent = fake.requests[-1]
    assert sent.path == f"/endpoints/{ENDPOINT}/invocations-response-stream"
    assert sent.headers["authorization"].startswith("AWS4-HMAC-SHA256")
    assert "/sagemaker/aws4_request" in sent.headers["authorization"]
    body = sent.json()
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert "model" not in body and body["messages"] == [{"role": "user", "content": "hi"}]


def test_crlf_lines_comments_and_done_without_finish_reason(fake):
    data = b": ping\r\n\r\ndata: " + json.dumps(completion_chunk("Hello")).encode() + b"\r\n\r\ndata: [DONE]\r\n\r\n"
    fake.push("invocations-response-stream", stream_reply(payload_parts(data, [3, 10, 40])))
    events = collect(provider(fake), ask())
    assert [type(e) for e in events] == [TextDelta, Finish]
    assert events[0].text == "Hello" and events[-1].reason == "stop"


def test_stream_ending_without_done_or_finish_is_interrupted(fake):
    fake.push("invocations-response-stream", stream_reply(payload_parts(sse(completion_chunk("cut"), done=False))))
    events = collect(provider(fake), ask())
    assert events[-1].kind == FailureKind.INTERRUPTED


def test_empty_stream_is_not_chat_completions(fake):
    fake.push("invocations-response-stream", stream_reply([]))
    assert [e.kind for e in collect(provider(fake), ask())] == [FailureKind.NOT_OPENAI_COMPATIBLE]


def test_model_stream_error_mid_stream_keeps_text(fake):
    frames = [
        *payload_parts(sse(completion_chunk("Part"), done=False)),
        exception_event("ModelStreamError", "StreamBroken", key="Message"),
    ]
    fake.push("invocations-response-stream", stream_reply(frames))
    events = collect(provider(fake), ask())
    assert events[0].text == "Part"
    assert events[-1].kind == FailureKind.SERVER_ERROR and "StreamBroken" in events[-1].message


def test_non_streaming_json(fake):
    fake.push("invocations", json_reply([chat_completion("<reasoning>r</reasoning>Answer", usage=(7, 3))]))
    events = collect(provider(fake), ask(stream=False))
    assert [type(e) for e in events] == [ReasoningDelta, TextDelta, Usage, Finish]
    sent = fake.requests[-1]
    assert sent.path == f"/endpoints/{ENDPOINT}/invocations" and "stream" not in sent.json()


def test_endpoint_name_from_connection_when_no_model(fake):
    collect(provider(fake, endpoint_name="named-ep"), ask(model=""))
    assert fake.requests[-1].path == "/endpoints/named-ep/invocations-response-stream"


def test_no_endpoint_at_all_is_a_clear_failure(fake):
    events = collect(provider(fake), ask(model=""))
    assert events[0].kind == FailureKind.BAD_REQUEST and "endpoint" in events[0].message
    assert not fake.requests


def test_endpoint_from_standard_env_var(fake, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME", fake.url)
    conn = Connection("sm", Kind.SAGEMAKER, region="ap-south-1")
    events = collect(make_aws_provider(conn), ask())
    assert isinstance(events[-1], Finish)
    assert "/ap-south-1/sagemaker/aws4_request" in fake.requests[-1].headers["authorization"]
